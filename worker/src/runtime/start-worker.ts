import { hostname as osHostname } from "node:os";
import type { SiteRow } from "@coffer/db/schema";
import { heartbeatSite } from "@coffer/db/tasks/sites";
import { failStaleTaskRuns } from "@coffer/db/tasks/task-runs";
import { findTaskById } from "@coffer/db/tasks/tasks";
import { Queue, Worker } from "bullmq";
import { bullPrefix, siteQueueName } from "../jobs/names";
import { dispatch } from "../jobs/registry";
import { ensurePurgeSchedule, MAINTENANCE_QUEUE } from "../retention/purge-queue";
import type { TEngine } from "../tasks/engine";
import { registerWorkerSite } from "../tasks/first-start";
import { publishProgress } from "../tasks/progress";
import { producerConnection, whenReady, workerConnection } from "./connections";
import { reconcileSchedulers, type TReconcileResult } from "./reconcile-schedulers";
import { workerVersion } from "./version";

/**
 * The worker process for one Synchronization Engine Site (style anchors P7): a function that starts
 * everything and returns one idempotent `close()`.
 *
 * - registers the site (first start creates the default schedule, definition and task),
 * - consumes the site's queue with a BullMQ Worker (`COFFER_TASK_CONCURRENCY` runs at once),
 * - every heartbeat: writes the site's last heartbeat, version and host, and closes runs of any site whose
 *   worker stopped heartbeating (killed, host lost) as failed, so their task can run again,
 * - every reconcile period: makes the job schedulers match the tasks (reconcile-schedulers.ts),
 * - consumes the deployment-wide maintenance queue (the daily retention purge) and keeps its schedule.
 *
 * BullMQ is told not to re-run a stalled job (`maxStalledCount: 0`): a run interrupted by a dead worker is
 * recorded as failed and the task's next scheduled run continues from the sync checkpoints, rather than
 * the same job being restarted behind the operator's back.
 */
export type TWorkerRuntimeOptions = {
  engine: TEngine;
  redisUrl: string;
  siteName: string;
  taskConcurrency?: number;
  heartbeatMs?: number;
  staleRunMs?: number;
  reconcileMs?: number;
  version?: string;
  hostname?: string;
};

export type TWorkerHandle = {
  site: SiteRow;
  isFirstStart: boolean;
  queueName: string;
  /** Reconciles the job schedulers now (also runs on its timer). */
  reconcile(): Promise<TReconcileResult>;
  /** Heartbeat and stale-run sweep now; resolves to the number of runs closed as failed. */
  heartbeat(): Promise<number>;
  /** Stops taking jobs, waits for running ones to finish, closes connections. Safe to call twice. */
  close(): Promise<void>;
};

export async function startWorkerRuntime(opts: TWorkerRuntimeOptions): Promise<TWorkerHandle> {
  const { engine } = opts;
  const log = (line: string) => engine.log?.(line);
  const heartbeatMs = opts.heartbeatMs ?? 30_000;
  const staleRunMs = opts.staleRunMs ?? 120_000;
  const reconcileMs = opts.reconcileMs ?? 60_000;
  const version = opts.version ?? workerVersion();
  const host = opts.hostname ?? osHostname();

  const { site, isFirstStart } = await registerWorkerSite(engine.db, opts.siteName);
  if (isFirstStart)
    log(`first start: created site "${site.name}" with the default schedule, definition and task`);
  const queueName = siteQueueName(site.id);
  const prefix = bullPrefix(engine.redisPrefix);
  const onRedisError = (e: Error) => log(`redis: ${e.message}`);

  const producer = producerConnection(opts.redisUrl, onRedisError);
  await whenReady(producer);
  const queue = new Queue(queueName, { connection: producer, prefix });
  queue.on("error", (e) => log(`queue: ${e.message}`));

  const heartbeat = async (): Promise<number> => {
    await heartbeatSite(engine.db, site.id, { version, hostname: host });
    const closed = await failStaleTaskRuns(engine.db, new Date(Date.now() - staleRunMs));
    for (const run of closed) {
      log(`run ${run.id} of task ${run.task_id}: its worker stopped responding; closed as failed`);
      const task = await findTaskById(engine.db, run.task_id);
      if (task) {
        await publishProgress(engine.redis, engine.redisPrefix, {
          taskId: task.id,
          runId: run.id,
          status: task.status,
          command: task.command,
          latestDetail: task.latest_detail,
          mailboxesDone: run.mailboxes_done,
          mailboxesTotal: run.mailboxes_total,
          sequence: task.sequence,
          lastResult: "error",
          lastResultMessage: run.message,
          at: new Date().toISOString(),
        });
      }
    }
    return closed.length;
  };
  const reconcile = () => reconcileSchedulers(engine.db, queue, site.id);

  await heartbeat();
  const first = await reconcile();
  log(
    `site "${site.name}": queue ${queueName}, ${first.upserted.length + first.unchanged} task schedules (${first.upserted.length} updated)`,
  );

  const workerConn = workerConnection(opts.redisUrl, onRedisError);
  const worker = new Worker(queueName, (job) => dispatch(job, engine), {
    connection: workerConn,
    prefix,
    concurrency: opts.taskConcurrency ?? 2,
    maxStalledCount: 0,
    lockDuration: 60_000,
  });
  worker.on("error", (e) => log(`worker: ${e.message}`));
  worker.on("failed", (job, e) => log(`job ${job?.id ?? "?"} (${job?.name ?? "?"}) failed: ${e.message}`));

  // The deployment-wide maintenance queue (the daily retention purge, worker/src/retention): every worker
  // of every site may take its jobs; the purge is resumable and guarded by an advisory lock, so a stalled
  // job is simply run again.
  const maintenance = new Queue(MAINTENANCE_QUEUE, { connection: producer, prefix });
  maintenance.on("error", (e) => log(`maintenance queue: ${e.message}`));
  await ensurePurgeSchedule(maintenance);
  const maintenanceConn = workerConnection(opts.redisUrl, onRedisError);
  const maintenanceWorker = new Worker(MAINTENANCE_QUEUE, (job) => dispatch(job, engine), {
    connection: maintenanceConn,
    prefix,
    concurrency: 1,
  });
  maintenanceWorker.on("error", (e) => log(`maintenance worker: ${e.message}`));
  maintenanceWorker.on("failed", (job, e) =>
    log(`job ${job?.id ?? "?"} (${job?.name ?? "?"}) failed: ${e.message}`),
  );

  const timers = [
    setInterval(() => void heartbeat().catch((e: Error) => log(`heartbeat: ${e.message}`)), heartbeatMs),
    setInterval(() => void reconcile().catch((e: Error) => log(`reconcile: ${e.message}`)), reconcileMs),
  ];

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const t of timers) clearInterval(t);
      await Promise.all([worker.close(), maintenanceWorker.close()]);
      await queue.close();
      await maintenance.close();
      producer.disconnect();
      workerConn.disconnect();
      maintenanceConn.disconnect();
    })();
    return closing;
  };
  return { site, isFirstStart, queueName, reconcile, heartbeat, close };
}
