import type { RunResult, TaskStatus } from "@coffer/db/schema";
import type { Redis } from "ioredis";

/**
 * Live progress of running tasks for the console. The durable truth is in PostgreSQL (the task row's
 * status, command, latest detail and sequence; the run's counters), written as the run goes; on top of
 * that every change is published on one Redis channel so a page can update without polling.
 *
 * Portal: poll `getTaskProgress(ctx, taskId)` (read-tasks.ts) every few seconds, or hold one
 * `subscribeTaskProgress(ctx, listener)` per server process and fan events out (SSE) to open pages.
 */

export type TTaskProgressEvent = {
  taskId: string;
  runId: string | null;
  status: TaskStatus;
  command: string | null;
  latestDetail: string | null;
  mailboxesDone: number;
  mailboxesTotal: number;
  sequence: number;
  /** Set when the run has finished. */
  lastResult: RunResult | null;
  lastResultMessage: string | null;
  /** RFC 3339. */
  at: string;
};

export function progressChannel(redisPrefix: string): string {
  return `${redisPrefix}:tasks:progress`;
}

/** Best effort: a lost event only delays the page until its next poll. */
export async function publishProgress(
  redis: Redis,
  redisPrefix: string,
  event: TTaskProgressEvent,
): Promise<void> {
  await redis.publish(progressChannel(redisPrefix), JSON.stringify(event)).catch(() => {});
}

/**
 * Calls `listener` for every progress event (of one task when `taskId` is given) until the returned
 * function is called. Uses its own connection (`subscriber`, a duplicate of the context's), because a
 * Redis connection in subscriber mode cannot run other commands.
 */
export async function subscribeProgress(
  subscriber: Redis,
  redisPrefix: string,
  listener: (event: TTaskProgressEvent) => void,
  filter: { taskId?: string } = {},
): Promise<() => Promise<void>> {
  const channel = progressChannel(redisPrefix);
  const onMessage = (ch: string, message: string) => {
    if (ch !== channel) return;
    try {
      const event = JSON.parse(message) as TTaskProgressEvent;
      if (!filter.taskId || event.taskId === filter.taskId) listener(event);
    } catch {
      // not ours
    }
  };
  subscriber.on("message", onMessage);
  await subscriber.subscribe(channel);
  return async () => {
    subscriber.off("message", onMessage);
    await subscriber.unsubscribe(channel).catch(() => {});
    subscriber.disconnect();
  };
}
