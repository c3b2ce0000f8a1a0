import { hostname } from "node:os";
import { createBlobStore } from "@coffer/db/blobs/config";
import { createDb } from "@coffer/db/client";
import { Redis } from "ioredis";
import { settings } from "../config";
import { Directory } from "../directory/directory";
import { MembershipCache } from "../directory/membership-cache";
import { ExchangeAdminClient } from "../graph/exchange-admin";
import { GraphAdapter } from "../graph/graph-adapter";
import type { TEngine } from "../tasks/engine";
import { runtimeSettings } from "./config";

/**
 * The engine from this process's settings: PostgreSQL, Redis, the blob store, the Graph adapter (shared
 * Redis limiter), the Exchange admin API client and the cached directory. `close()` releases them all.
 */
export function createEngine(log?: (line: string) => void): TEngine & { close(): Promise<void> } {
  const rt = runtimeSettings();
  const m365 = settings("m365");
  const db = createDb(settings("database").DATABASE_URL, 10);
  const redis = new Redis(settings("redis").REDIS_URL, { maxRetriesPerRequest: 3 });
  redis.on("error", (e) => log?.(`redis: ${e.message}`));
  const blobs = createBlobStore(settings("storage"), { db });
  const graph = new GraphAdapter({
    authority: m365.M365_AUTHORITY,
    graphUrl: m365.M365_GRAPH_URL,
    clientId: m365.M365_CLIENT_ID,
    clientSecret: m365.M365_CLIENT_SECRET,
    caFile: m365.M365_CA_FILE,
    redis,
    redisPrefix: rt.COFFER_REDIS_PREFIX,
  });
  const exchange = new ExchangeAdminClient({
    authority: m365.M365_AUTHORITY,
    exchangeUrl: m365.M365_EXCHANGE_URL,
    tenantId: m365.M365_TENANT_ID,
    clientId: m365.M365_CLIENT_ID,
    clientSecret: m365.M365_CLIENT_SECRET,
    caFile: m365.M365_CA_FILE,
  });
  const directory = new Directory(graph, new MembershipCache(redis, rt.COFFER_REDIS_PREFIX));
  return {
    db,
    redis,
    redisPrefix: rt.COFFER_REDIS_PREFIX,
    sync: { db, blobs, graph, redis, redisPrefix: rt.COFFER_REDIS_PREFIX, ...(log ? { log } : {}) },
    directory,
    graph,
    exchange,
    workerId: `${hostname()}/${process.pid}`,
    mailboxParallelism: rt.COFFER_MAILBOX_PARALLELISM,
    runHeartbeatMs: Math.min(15_000, (rt.COFFER_RUN_STALE_SECONDS * 1000) / 4),
    lockWaitTimeoutMs: 6 * 3600_000,
    ...(log ? { log } : {}),
    async close() {
      await exchange.close();
      await graph.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}
