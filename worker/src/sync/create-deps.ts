import { createBlobStore } from "@coffer/db/blobs/config";
import type { BlobStore } from "@coffer/db/blobs/store";
import { createDb, type Db } from "@coffer/db/client";
import { Redis } from "ioredis";
import { settings } from "../config";
import { GraphAdapter } from "../graph/graph-adapter";
import { GRAPH_MAILBOX_LIMITS } from "../graph/rate-limiter";
import type { TSyncDeps } from "./types";

/** Redis key prefix of the shared Graph limiter and the mailbox locks (all workers must agree). */
export const REDIS_PREFIX = "coffer";

/** The archive side only (ls, cat, search): PostgreSQL and, for original bytes, the blob store. */
export function createArchiveReader(): { db: Db; blobs: () => BlobStore; close(): Promise<void> } {
  const db = createDb(settings("database").DATABASE_URL, 4);
  let blobs: BlobStore | undefined;
  return {
    db,
    blobs: () => {
      blobs ??= createBlobStore(settings("storage"), { db });
      return blobs;
    },
    close: () => db.destroy(),
  };
}

/** Everything a sync needs, from this process's settings (config.ts): PostgreSQL, Redis, blobs, Graph. */
export function createSyncDeps(log?: (line: string) => void): TSyncDeps & { close(): Promise<void> } {
  const m365 = settings("m365");
  const db = createDb(settings("database").DATABASE_URL, 10);
  const redis = new Redis(settings("redis").REDIS_URL, { maxRetriesPerRequest: 3 });
  redis.on("error", () => {
    // ioredis reconnects by itself; commands fail (and are retried by the limiter's callers) meanwhile.
  });
  const blobs = createBlobStore(settings("storage"), { db });
  const limits = settings("graphLimits");
  const windowMs = limits.COFFER_GRAPH_WINDOW_SECONDS * 1000;
  const graph = new GraphAdapter({
    limits: {
      ...GRAPH_MAILBOX_LIMITS,
      maxConcurrent: limits.COFFER_GRAPH_MAILBOX_CONCURRENCY,
      budget: limits.COFFER_GRAPH_MAILBOX_BUDGET,
      windowMs,
      // 60 buckets per window: the window forgets a request at most 1/60 of a window late.
      bucketMs: Math.max(100, Math.floor(windowMs / 60)),
    },
    authority: m365.M365_AUTHORITY,
    graphUrl: m365.M365_GRAPH_URL,
    clientId: m365.M365_CLIENT_ID,
    clientSecret: m365.M365_CLIENT_SECRET,
    caFile: m365.M365_CA_FILE,
    redis,
    redisPrefix: REDIS_PREFIX,
  });
  return {
    db,
    blobs,
    graph,
    redis,
    redisPrefix: REDIS_PREFIX,
    ...(log ? { log } : {}),
    async close() {
      await graph.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}
