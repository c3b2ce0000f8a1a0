import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { producerConnection, whenReady, workerConnection } from "../runtime/connections";
import type { TRunOutcome } from "../tasks/run-task";
import { bullPrefix, JOB_NAMES, siteQueueName, TASK_JOB_OPTIONS, taskSchedulerId } from "./names";
import type { TRunTaskPayload } from "./run-task-payload";
import { type TRepeat, upsertTaskScheduler } from "./schedulers";

/**
 * The producer side of the task queues, for the portal and the CLI: enqueue a manual run, wait for its
 * outcome, upsert or remove a task's job scheduler. Uses a producer connection (fails fast when Redis is
 * down, style anchors P7) and opens a QueueEvents connection only when someone waits.
 */
export class TaskProducer {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly events = new Map<string, { events: QueueEvents; connection: Redis }>();
  private readonly prefix: string;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly redisUrl: string,
    redisPrefix: string,
    private readonly onError: (e: Error) => void = () => {},
  ) {
    this.prefix = bullPrefix(redisPrefix);
    this.connection = producerConnection(redisUrl, onError);
  }

  queue(siteId: string): Queue {
    let q = this.queues.get(siteId);
    if (!q) {
      q = new Queue(siteQueueName(siteId), { connection: this.connection, prefix: this.prefix });
      q.on("error", this.onError);
      this.queues.set(siteId, q);
    }
    return q;
  }

  private async queueEvents(siteId: string): Promise<QueueEvents> {
    let entry = this.events.get(siteId);
    if (!entry) {
      const connection = workerConnection(this.redisUrl, this.onError);
      const events = new QueueEvents(siteQueueName(siteId), { connection, prefix: this.prefix });
      events.on("error", this.onError);
      entry = { events, connection };
      this.events.set(siteId, entry);
    }
    await entry.events.waitUntilReady();
    return entry.events;
  }

  /** Enqueues a run of the task on its site's queue; returns the job id. */
  async enqueueRun(
    siteId: string,
    payload: TRunTaskPayload,
    opts: { isWaiting?: boolean } = {},
  ): Promise<string> {
    await whenReady(this.connection);
    // Subscribe before adding, so a quick run's completion is not missed.
    if (opts.isWaiting) await this.queueEvents(siteId);
    const jobId = `manual-${payload.taskId}-${Date.now()}`;
    const job = await this.queue(siteId).add(JOB_NAMES.runTask, payload, { ...TASK_JOB_OPTIONS, jobId });
    return job.id ?? jobId;
  }

  /** Waits for a job's outcome (the run's result, or why it was skipped); throws after `timeoutMs`. */
  async waitForRun(siteId: string, jobId: string, timeoutMs: number): Promise<TRunOutcome> {
    const events = await this.queueEvents(siteId);
    const job = await this.queue(siteId).getJob(jobId);
    if (!job) throw new Error(`job ${jobId} is not in the queue any more`);
    return (await job.waitUntilFinished(events, timeoutMs)) as TRunOutcome;
  }

  /** Creates or updates a task's scheduler at once (the worker's reconciler would within a minute). */
  async upsertScheduler(siteId: string, taskId: string, repeat: TRepeat): Promise<void> {
    await whenReady(this.connection);
    await upsertTaskScheduler(this.queue(siteId), taskId, repeat);
  }

  async removeScheduler(siteId: string, taskId: string): Promise<void> {
    await whenReady(this.connection);
    await this.queue(siteId).removeJobScheduler(taskSchedulerId(taskId));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const { events, connection } of this.events.values()) {
        await events.close().catch(() => {});
        connection.disconnect();
      }
      for (const q of this.queues.values()) await q.close().catch(() => {});
      this.connection.disconnect();
    })();
    return this.closing;
  }
}
