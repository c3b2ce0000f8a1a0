import { type Job, UnrecoverableError } from "bullmq";
import { purgeJob } from "../retention/purge-job";
import type { TEngine } from "../tasks/engine";
import type { TJobDefinition } from "./job";
import { runTaskJob } from "./run-task";

/** Every job type the worker runs. Add a job: one file exporting `defineJob({...})`, one line here. */
const JOBS: readonly TJobDefinition[] = [runTaskJob, purgeJob];
const BY_NAME = new Map(JOBS.map((j) => [j.name, j]));

/**
 * The single BullMQ processor: finds the job's definition, validates its payload, runs the handler.
 * - unknown name (a job left by an older or newer version): logged by ids only, completed, not retried;
 * - a payload that fails its schema: a permanent failure (UnrecoverableError), never retried.
 */
export async function dispatch(job: Job, engine: TEngine): Promise<unknown> {
  const def = BY_NAME.get(job.name);
  if (!def) {
    engine.log?.(`job ${job.id}: unknown job name "${job.name}", ignored`);
    return { ignored: true };
  }
  const parsed = def.schema.safeParse(job.data);
  if (!parsed.success) {
    throw new UnrecoverableError(
      `job ${job.id} (${job.name}): invalid payload: ${parsed.error.issues.map((i) => i.message).join("; ")}`,
    );
  }
  return def.handle(parsed.data, {
    jobId: job.id ?? "",
    attempt: job.attemptsMade + 1,
    maxAttempts: job.opts.attempts ?? 1,
    scheduledAt: job.repeatJobKey ? job.opts.prevMillis : undefined,
    engine,
  });
}
