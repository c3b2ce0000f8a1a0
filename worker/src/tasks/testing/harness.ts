import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { TaskRunRow } from "@coffer/db/schema";
import { ensureSite } from "@coffer/db/tasks/sites";
import { findTaskRunById } from "@coffer/db/tasks/task-runs";
import { testRedisUrl } from "@coffer/test/setup/integration";
import { Directory } from "../../directory/directory";
import { MembershipCache } from "../../directory/membership-cache";
import { ExchangeAdminClient } from "../../graph/exchange-admin";
import { TaskProducer } from "../../jobs/producer";
import {
  startWorkerRuntime,
  type TWorkerHandle,
  type TWorkerRuntimeOptions,
} from "../../runtime/start-worker";
import { startHarness, type THarness } from "../../sync/testing/harness";
import type { TTasksContext } from "../context";
import type { TEngine } from "../engine";

/**
 * Real components for the Exchange Tasks integration tests: the sync harness (the run's PostgreSQL, Redis
 * under a unique prefix, a temp blob store, an in-process simulator on port 0, the Graph adapter) plus the
 * Exchange admin API client, the cached directory (with an injectable clock), the engine, the API context
 * and, on demand, a worker runtime for a site of its own.
 */
export type TTasksHarness = THarness & {
  engine: TEngine;
  ctx: TTasksContext;
  /** The clock of the membership cache (ms); tests move it instead of sleeping. */
  clock: { now: number };
  exchange: ExchangeAdminClient;
  /** Starts a worker for a new site (unique name unless given); stopped by close(). */
  startWorker(opts?: Partial<Omit<TWorkerRuntimeOptions, "engine" | "redisUrl">>): Promise<TWorkerHandle>;
  /** Polls `read` until `until` holds (every 100 ms, up to `timeoutMs`); returns the last value. */
  waitFor<T>(read: () => Promise<T>, until: (v: T) => boolean, timeoutMs?: number): Promise<T>;
  waitForRun(runId: string, timeoutMs?: number): Promise<TaskRunRow>;
};

export async function startTasksHarness(opts: { mailboxParallelism?: number } = {}): Promise<TTasksHarness> {
  const h = await startHarness();
  const clock = { now: Date.now() };
  const exchange = new ExchangeAdminClient({
    authority: h.sim.authority,
    exchangeUrl: h.sim.exchangeUrl,
    tenantId: h.sim.tenantId,
    clientId: h.sim.clientId,
    clientSecret: h.sim.clientSecret,
    caPem: h.sim.caPem,
    retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 1000 },
  });
  const directory = new Directory(
    h.graph,
    new MembershipCache(h.redis, h.redisPrefix, { now: () => clock.now }),
  );
  const engine: TEngine = {
    db: h.db,
    redis: h.redis,
    redisPrefix: h.redisPrefix,
    sync: h.deps,
    directory,
    graph: h.graph,
    exchange,
    workerId: `${hostname()}/${process.pid}`,
    mailboxParallelism: opts.mailboxParallelism ?? 4,
    runHeartbeatMs: 500,
    lockWaitTimeoutMs: 120_000,
  };
  const producer = new TaskProducer(testRedisUrl(), h.redisPrefix);
  const ctx: TTasksContext = { db: h.db, directory, producer, redis: h.redis, redisPrefix: h.redisPrefix };
  const workers: TWorkerHandle[] = [];

  const waitFor = async <T>(
    read: () => Promise<T>,
    until: (v: T) => boolean,
    timeoutMs = 30_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (until(v)) return v;
      if (Date.now() > deadline)
        throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    ...h,
    engine,
    ctx,
    clock,
    exchange,
    async startWorker(o = {}) {
      // The run's database is shared by the test files: a site registered first means no worker here
      // takes it for a new install (first start is tested on a database of its own).
      await ensureSite(h.db, "harness");
      const w = await startWorkerRuntime({
        engine,
        redisUrl: testRedisUrl(),
        siteName: o.siteName ?? `site-${randomBytes(4).toString("hex")}`,
        taskConcurrency: o.taskConcurrency ?? 2,
        heartbeatMs: o.heartbeatMs ?? 1000,
        staleRunMs: o.staleRunMs ?? 60_000,
        reconcileMs: o.reconcileMs ?? 60_000,
        ...(o.version ? { version: o.version } : {}),
      });
      workers.push(w);
      return w;
    },
    waitFor,
    waitForRun: (runId, timeoutMs = 60_000) =>
      waitFor(
        async () => (await findTaskRunById(h.db, runId))!,
        (r) => r.status !== "running",
        timeoutMs,
      ),
    async close() {
      for (const w of workers) await w.close();
      await producer.close();
      await exchange.close();
      await h.close();
    },
  };
}
