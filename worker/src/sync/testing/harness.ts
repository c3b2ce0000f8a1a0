import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BlobStore, FsBlobBackend, toBlobKey } from "@coffer/db/blobs/index";
import type { Db } from "@coffer/db/client";
import { createTestDatabase } from "@coffer/db/testing/test-database";
import { SimControl } from "@coffer/test/m365-sim/src/client";
import { type SimulatorHandle, startSimulator } from "@coffer/test/m365-sim/src/index";
import { testRedisUrl, uniqueRedisPrefix } from "@coffer/test/setup/integration";
import { Redis } from "ioredis";
import { GraphAdapter, type TGraphAdapterOptions } from "../../graph/graph-adapter";
import type { TSyncDeps } from "../types";

/**
 * Real components for the engine's integration tests: a PostgreSQL database of its own, Redis under a unique
 * prefix, a blob store in a temp folder with a random key, and an in-process simulator on port 0 with the
 * Graph adapter pointed at it exactly as production points it at Microsoft 365 (authority, Graph URL, CA).
 */
export type THarness = {
  sim: SimulatorHandle;
  ctl: SimControl;
  db: Db;
  redis: Redis;
  blobs: BlobStore;
  blobDir: string;
  graph: GraphAdapter;
  deps: TSyncDeps;
  redisPrefix: string;
  /** Environment for a `coffer` child process using the same database, Redis, blobs and simulator. */
  childEnv(): Record<string, string>;
  close(): Promise<void>;
};

export async function startHarness(
  opts: { throttle?: boolean; graph?: Partial<TGraphAdapterOptions>; generator?: "stand-in" } = {},
): Promise<THarness> {
  const sim = await startSimulator({ port: 0, tenant: { empty: true }, throttle: opts.throttle ?? false });
  const ctl = new SimControl(sim);
  // A database of its own: the blob store's index (the blobs table) must describe this harness's blob
  // folder, not the folders of other test files (packed objects' keys name files in one folder).
  const database = await createTestDatabase("coffer_sync");
  const db = database.db;
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 2 });
  const blobDir = mkdtempSync(path.join(tmpdir(), "coffer-blobs-"));
  const keyBytes = randomBytes(32);
  const blobs = new BlobStore({ backend: new FsBlobBackend(blobDir), keys: [toBlobKey(keyBytes)] });
  const redisPrefix = uniqueRedisPrefix("sync");
  const graph = new GraphAdapter({
    authority: sim.authority,
    graphUrl: sim.graphUrl,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    caPem: sim.caPem,
    redis,
    redisPrefix,
    retry: { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 2000 },
    ...opts.graph,
  });
  const deps: TSyncDeps = { db, blobs, graph, redis, redisPrefix };
  return {
    sim,
    ctl,
    db,
    redis,
    blobs,
    blobDir,
    graph,
    deps,
    redisPrefix,
    childEnv: () => ({
      DATABASE_URL: database.url,
      REDIS_URL: testRedisUrl(),
      COFFER_REDIS_PREFIX: redisPrefix,
      COFFER_BLOB_DIR: blobDir,
      COFFER_ENCRYPTION_KEY: keyBytes.toString("base64"),
      M365_AUTHORITY: sim.authority,
      M365_GRAPH_URL: sim.graphUrl,
      M365_TENANT_ID: sim.tenantId,
      M365_CLIENT_ID: sim.clientId,
      M365_CLIENT_SECRET: sim.clientSecret,
      M365_CA_FILE: sim.caFile,
    }),
    async close() {
      await graph.close();
      ctl.close();
      await sim.close();
      redis.disconnect();
      await database.drop();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}
