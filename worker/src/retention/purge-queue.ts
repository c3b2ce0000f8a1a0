import { DATA_TYPES } from "@coffer/db/schema";
import { type JobsOptions, Queue } from "bullmq";
import { z } from "zod";
import { bullPrefix } from "../jobs/names";
import { producerConnection, whenReady } from "../runtime/connections";

/**
 * `retention.purge` — the daily purge (and one requested by a policy change): its queue, name, payload
 * and options, and the producer side (schedule it, enqueue it). The handler is in purge-job.ts; producers
 * (the portal) import only this file (style anchors P6).
 *
 * It runs on the deployment-wide `maintenance` queue, not a site's queue: there is one archive, so one
 * purge, whichever worker takes it. The daily job scheduler (`ensurePurgeSchedule`) is idempotent, so
 * every worker may upsert it at start; BullMQ hands each run to one worker, and a PostgreSQL advisory lock
 * inside the purge keeps two runs from overlapping anyway (a second one fails with PurgeBusyError and is
 * retried later by BullMQ). The purge is resumable, so a retry after a crash continues where it stopped.
 */
export const PURGE_JOB_NAME = "retention.purge";
export const MAINTENANCE_QUEUE = "maintenance";
export const PURGE_SCHEDULER_ID = "retention-purge-daily";
/** 02:30 UTC every day: after the night's first sync runs have started, well before office hours. */
export const DEFAULT_PURGE_PATTERN = "30 2 * * *";

/** Ids only, never data (BullMQ stores payloads in clear text). */
export const ZPurgePayload = z.object({
  trigger: z.enum(["schedule", "manual", "policy_change"]).default("schedule"),
  /** Who asked (audit entry of the run), e.g. the administrator who changed the policy. */
  requestedBy: z.string().max(320).optional(),
  /** The data types a policy change affected (for the log; the purge applies every rule in force). */
  dataTypes: z.array(z.enum(DATA_TYPES)).optional(),
  dryRun: z.boolean().default(false),
});
export type TPurgePayload = z.input<typeof ZPurgePayload>;

/**
 * Retried with backoff: a run that meets another one (PurgeBusyError) or a passing database outage tries
 * again later; the run itself is resumable. Finished jobs are kept for a week (BullMQ's guide asks for
 * explicit limits).
 */
export const PURGE_JOB_OPTIONS = Object.freeze({
  attempts: 6,
  backoff: { type: "exponential", delay: 60_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 200 },
  removeOnFail: { age: 30 * 24 * 3600, count: 200 },
}) satisfies JobsOptions;

/** Creates or updates the daily purge's job scheduler on the maintenance queue (idempotent). */
export async function ensurePurgeSchedule(
  queue: Queue,
  opts: { pattern?: string; tz?: string } = {},
): Promise<void> {
  await queue.upsertJobScheduler(
    PURGE_SCHEDULER_ID,
    { pattern: opts.pattern ?? DEFAULT_PURGE_PATTERN, tz: opts.tz ?? "UTC" },
    { name: PURGE_JOB_NAME, data: { trigger: "schedule" } satisfies TPurgePayload, opts: PURGE_JOB_OPTIONS },
  );
}

/** Asks for a purge now (a policy change from the portal); returns the job id. */
export async function enqueuePurge(queue: Queue, payload: TPurgePayload): Promise<string> {
  const job = await queue.add(PURGE_JOB_NAME, ZPurgePayload.parse(payload), PURGE_JOB_OPTIONS);
  return job.id ?? "";
}

/**
 * The maintenance queue for a producer (the portal, the CLI): its connection fails fast when Redis is
 * down (style anchors P7). Close both with the returned `close()`.
 */
export async function openMaintenanceQueue(
  redisUrl: string,
  redisPrefix: string,
  onError: (e: Error) => void = () => {},
): Promise<{ queue: Queue; close(): Promise<void> }> {
  const connection = producerConnection(redisUrl, onError);
  await whenReady(connection);
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix: bullPrefix(redisPrefix) });
  queue.on("error", onError);
  return {
    queue,
    async close() {
      await queue.close().catch(() => {});
      connection.disconnect();
    },
  };
}
