import type { JobsOptions } from "bullmq";

/**
 * Queue and job names, shared by producers (the portal, the CLI) and the worker. Producers import only
 * this file, the payload types and `producer.ts`, never the handlers (style anchors P6).
 *
 * One queue per Synchronization Engine Site: a worker serves exactly one site (COFFER_SITE) and consumes
 * only its queue, so a task runs on the site it was created for.
 */
export const JOB_NAMES = {
  /** One execution of an Exchange Task (jobs/run-task.ts). */
  runTask: "task.run",
} as const;
export type TJobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** BullMQ queue name of a site (by id: a site can be renamed). Colons are avoided in queue names. */
export function siteQueueName(siteId: string): string {
  return `tasks-${siteId}`;
}

/** The BullMQ key prefix under the deployment's Redis prefix (`coffer:bull:tasks-<site>:…`). */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/** Job scheduler id of a task's schedule. */
export function taskSchedulerId(taskId: string): string {
  return `task-${taskId}`;
}

/**
 * Defaults for every task job. Runs are not retried by BullMQ: a failed run is recorded as such and the
 * next scheduled run starts over from the checkpoints (the sync engine is resumable), which is what the
 * seed describes. Finished jobs are kept for a while for `waitUntilFinished` and debugging, then removed
 * (BullMQ's production guide asks for explicit limits).
 */
export const TASK_JOB_OPTIONS = Object.freeze({
  attempts: 1,
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
}) satisfies JobsOptions;
