import { upsertMailbox } from "@coffer/db/mailboxes/mailboxes";
import type { MailboxRow, RunResult, RunTrigger, TaskRow, TRunSkip } from "@coffer/db/schema";
import { findDefinitionById } from "@coffer/db/tasks/definitions";
import { findScheduleById } from "@coffer/db/tasks/schedules";
import {
  appendRunLog,
  finishRunMailbox,
  finishTaskRun,
  heartbeatTaskRun,
  startRunMailbox,
  startTaskRun,
} from "@coffer/db/tasks/task-runs";
import { findTaskById, setTaskState } from "@coffer/db/tasks/tasks";
import pLimit from "p-limit";
import { resolveTargetUsers, TargetUnavailableError } from "../directory/resolve-target";
import { GraphFailure } from "../graph/errors";
import type { TDirectoryUser } from "../graph/port";
import { describeFailure } from "../sync/describe";
import { acquireMailboxLock, MailboxBusyError, type TMailboxLock } from "../sync/mailbox-lock";
import type { TEngine } from "./engine";
import { replicateCalendars } from "./features/calendar-replication";
import type { TFeature } from "./features/feature";
import { replicateFolders } from "./features/folder-replication";
import { syncPermissions } from "./features/permissions-sync";
import { publishProgress, type TTaskProgressEvent } from "./progress";
import { isInsideWindow, nextRunAfter } from "./schedule-rules";
import { tryTaskLock } from "./task-lock";
import { parseSettings, TASK_TYPE_INFO, UNAVAILABLE_MESSAGE } from "./task-types";

/**
 * One execution of an Exchange Task (seed 004):
 *
 * 1. checks the task still exists, that a scheduled tick is inside the schedule's window, and takes the
 *    task's lock (a tick that finds the task running is dropped: the running execution covers it);
 * 2. records the run (the task becomes Running, with its type's Command) and reads the definition as of
 *    now: a definition or schedule changed during the run applies to the next one;
 * 3. resolves the target to users (group membership from the one-hour cache), skips accounts that are
 *    disabled or have no license, with the reason;
 * 4. processes mailboxes with bounded parallelism; each takes the mailbox's lock, waiting while another
 *    task holds it, so two tasks never work on one mailbox at the same time; each gets a per-mailbox row;
 * 5. ends with a traffic-light result and a message, and the task goes back to Scheduled.
 *
 * Progress (Latest Detail "3 of 120 mailboxes — alice@…", counters) is written to the task and run rows
 * on every mailbox and every heartbeat, and published on Redis for live pages. A run whose worker dies
 * stops heartbeating and is closed as an error by any worker of any site (failStaleTaskRuns).
 */

export type TRunRequest = {
  taskId: string;
  trigger: RunTrigger;
  requestedBy?: string | undefined;
  /** For a scheduler's job: the tick it was scheduled for (ms), the anchor of an interval's next ticks. */
  scheduledAt?: number | undefined;
};

export type TRunOutcome =
  | { kind: "finished"; runId: string; result: RunResult; message: string }
  | { kind: "skipped"; reason: "task_deleted" | "outside_window" | "already_running"; message: string };

// biome-ignore lint/suspicious/noExplicitAny: each feature validates its own settings (task-types.ts)
const FEATURES: Partial<Record<TaskRow["type"], TFeature<any>>> = {
  folder_replication: replicateFolders,
  calendar_replication: replicateCalendars,
  permissions_sync: syncPermissions,
};

type TMailboxJob = { user: TDirectoryUser } | { name: string; skipReason: string };

export async function runTask(
  engine: TEngine,
  req: TRunRequest,
  now: () => Date = () => new Date(),
): Promise<TRunOutcome> {
  const { db } = engine;
  const task = await findTaskById(db, req.taskId);
  if (!task) return { kind: "skipped", reason: "task_deleted", message: "the task no longer exists" };
  const schedule = await findScheduleById(db, task.schedule_id);
  if (req.trigger === "schedule" && schedule && !isInsideWindow(schedule, now())) {
    await setTaskState(db, task.id, { nextRunAt: nextRunAfter(schedule, now(), req.scheduledAt) });
    return { kind: "skipped", reason: "outside_window", message: "outside the schedule's window" };
  }
  const taskLock = await tryTaskLock(engine.redis, engine.redisPrefix, task.id);
  if (!taskLock)
    return { kind: "skipped", reason: "already_running", message: "the task is already running" };

  try {
    const definition = await findDefinitionById(db, task.definition_id);
    const info = TASK_TYPE_INFO[task.type];
    const run = await startTaskRun(db, {
      taskId: task.id,
      trigger: req.trigger,
      workerId: engine.workerId,
      ...(definition ? { definitionVersion: definition.version } : {}),
    });
    const tracker = new ProgressTracker(engine, task, run.id);
    await tracker.setCommand(info.command);
    const log = (level: "info" | "warning" | "error", message: string, mailboxUpn?: string) =>
      appendRunLog(db, run.id, { level, message, mailboxUpn: mailboxUpn ?? null });
    await log(
      "info",
      `${info.label} started (${req.trigger}${req.requestedBy ? ` by ${req.requestedBy}` : ""}) on ${engine.workerId}; ` +
        `definition "${definition?.name ?? "?"}" version ${definition?.version ?? "?"}, task configuration ${task.config_version}`,
    );

    const finish = async (result: RunResult, message: string): Promise<TRunOutcome> => {
      await tracker.finalDetail();
      await log(result === "success" ? "info" : result, message);
      // A manual run of an interval task does not know the scheduler's anchor: the reconciler sets it.
      const nextRunAt =
        schedule && (schedule.kind === "cron" || req.scheduledAt !== undefined)
          ? nextRunAfter(schedule, now(), req.scheduledAt)
          : undefined;
      await finishTaskRun(db, run.id, { result, message, ...(nextRunAt !== undefined ? { nextRunAt } : {}) });
      await tracker.publish({ lastResult: result, lastResultMessage: message, final: true });
      return { kind: "finished", runId: run.id, result, message };
    };

    try {
      if (!definition) return await finish("error", "The task's definition no longer exists.");
      const feature = FEATURES[task.type];
      if (!info.isAvailable || !feature) return await finish("warning", UNAVAILABLE_MESSAGE(task.type));
      const settings = parseSettings(task.type, definition.settings);
      if (!settings.success) {
        const why = settings.error.issues.map((i) => i.message).join(" ");
        return await finish("error", `The definition "${definition.name}" has invalid settings: ${why}`);
      }

      tracker.detail("resolving the target");
      let resolution: Awaited<ReturnType<typeof resolveTargetUsers>>;
      try {
        resolution = await resolveTargetUsers(engine.directory, task);
      } catch (e) {
        const why =
          e instanceof TargetUnavailableError
            ? e.message
            : `The target could not be resolved: ${describeFailure(e)}`;
        return await finish("error", why);
      }
      await log("info", `Target: ${resolution.summary}.`);

      const jobs: TMailboxJob[] = resolution.unresolved.map((u) => ({ name: u.name, skipReason: u.reason }));
      for (const user of resolution.users) {
        if (!user.accountEnabled)
          jobs.push({ name: user.userPrincipalName, skipReason: "the account is disabled" });
        else if (!user.isLicensed)
          jobs.push({ name: user.userPrincipalName, skipReason: "the account has no mailbox license" });
        else jobs.push({ user });
      }
      // Disabled and unlicensed members of an explicit target are recorded (their archive stays browsable,
      // seed 004), so the directory's view of them is kept current too.
      const skippedUsers = resolution.users.filter((u) => !u.accountEnabled || !u.isLicensed);
      for (const u of skippedUsers) await recordUser(engine, u);

      tracker.total = jobs.length;
      await heartbeatTaskRun(db, run.id, { mailboxesTotal: jobs.length });
      if (jobs.length === 0) return await finish("warning", "The target has no mailboxes.");

      const counters = { success: 0, warning: 0, error: 0, skipped: 0, added: 0, changed: 0, removed: 0 };
      const limit = pLimit(Math.max(1, engine.mailboxParallelism));
      await Promise.all(
        jobs.map((job) =>
          limit(async () => {
            const status = await processMailbox(
              engine,
              task,
              run.id,
              job,
              settings.data,
              feature,
              tracker,
              log,
            );
            counters[status.status]++;
            counters.added += status.added;
            counters.changed += status.changed;
            counters.removed += status.removed;
          }),
        ),
      );

      const total = jobs.length;
      const parts = [
        `${total} ${total === 1 ? "mailbox" : "mailboxes"}: ${counters.success + counters.warning} processed`,
      ];
      if (counters.warning) parts.push(`${counters.warning} with warnings`);
      if (counters.skipped) parts.push(`${counters.skipped} skipped`);
      if (counters.error) parts.push(`${counters.error} failed`);
      const what = task.type === "permissions_sync" ? "delegates" : "items";
      const message = `${parts.join(", ")}; ${what} ${counters.added} added, ${counters.changed} changed, ${counters.removed} removed.`;
      const result: RunResult =
        counters.error > 0 && counters.success + counters.warning === 0
          ? "error"
          : counters.error + counters.warning + counters.skipped > 0
            ? "warning"
            : "success";
      return await finish(result, message);
    } catch (e) {
      // Unexpected (the database went away mid-run…): the run still ends as an error with the reason.
      try {
        return await finish("error", `The run failed: ${describeFailure(e)}`);
      } catch {
        throw e;
      }
    } finally {
      tracker.stop();
    }
  } finally {
    await taskLock.release();
  }
}

function recordUser(engine: TEngine, user: TDirectoryUser): Promise<MailboxRow> {
  return upsertMailbox(engine.db, {
    entraId: user.id,
    upn: user.userPrincipalName,
    displayName: user.displayName,
    mail: user.mail,
    kind: "user",
    accountEnabled: user.accountEnabled,
    licensed: user.isLicensed,
    hasMailbox: true,
  });
}

async function processMailbox(
  engine: TEngine,
  task: TaskRow,
  runId: string,
  job: TMailboxJob,
  settings: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: see FEATURES
  feature: TFeature<any>,
  tracker: ProgressTracker,
  log: (level: "info" | "warning" | "error", message: string, upn?: string) => Promise<unknown>,
): Promise<{
  status: "success" | "warning" | "error" | "skipped";
  added: number;
  changed: number;
  removed: number;
}> {
  const { db } = engine;
  const none = { added: 0, changed: 0, removed: 0 };
  if ("skipReason" in job) {
    const row = await startRunMailbox(db, { runId, mailboxId: null, upn: job.name });
    await finishRunMailbox(db, row.id, { status: "skipped", message: job.skipReason });
    await log("warning", `${job.name} skipped: ${job.skipReason}.`, job.name);
    tracker.done++;
    return { status: "skipped", ...none };
  }

  const mailbox = await recordUser(engine, job.user);
  const upn = mailbox.upn;
  // An administrator's de-provisioning is Coffer's, not the directory's: the archive stays readable but
  // nothing is synced any more (issue 7). Data types turned off in retention are each feature's to skip.
  if (mailbox.deprovisioned_at) {
    const row = await startRunMailbox(db, { runId, mailboxId: mailbox.id, upn });
    await finishRunMailbox(db, row.id, { status: "skipped", message: "the mailbox is de-provisioned" });
    await log("info", `${upn} skipped: the mailbox is de-provisioned.`, upn);
    tracker.done++;
    return { status: "skipped", ...none };
  }
  let lock: TMailboxLock;
  try {
    lock = await acquireMailboxLock(engine.redis, engine.redisPrefix, mailbox.id, { wait: false });
  } catch (e) {
    if (!(e instanceof MailboxBusyError)) throw e;
    // Seed 004: "If another task … tries to access the mailbox, the second task will wait until the lock
    // is removed."
    tracker.detail(`waiting for ${upn} (another task is processing it)`);
    await log("info", `${upn} is being processed by another task; waiting for it.`, upn);
    try {
      lock = await acquireMailboxLock(engine.redis, engine.redisPrefix, mailbox.id, {
        wait: true,
        waitTimeoutMs: engine.lockWaitTimeoutMs,
      });
    } catch (waitError) {
      const row = await startRunMailbox(db, { runId, mailboxId: mailbox.id, upn });
      const message = describeFailure(waitError);
      await finishRunMailbox(db, row.id, { status: "error", message, errors: 1 });
      await log("error", `${upn}: ${message}`, upn);
      tracker.done++;
      return { status: "error", ...none };
    }
  }

  // The row starts once the lock is held: its started_at/finished_at bracket the work itself.
  const row = await startRunMailbox(db, { runId, mailboxId: mailbox.id, upn });
  tracker.detail(upn);
  try {
    const outcome = await feature({ engine, mailbox, lock, settings, runId });
    await finishRunMailbox(db, row.id, {
      status: outcome.status,
      message: outcome.message,
      itemsAdded: outcome.itemsAdded,
      itemsChanged: outcome.itemsChanged,
      itemsRemoved: outcome.itemsRemoved,
      skips: outcome.skips,
      requests: outcome.requests,
      throttled: outcome.throttled,
      isSequenced: TASK_TYPE_INFO[task.type].hasSequence,
    });
    if (outcome.status === "warning") await log("warning", `${upn}: ${outcome.message ?? "warning"}`, upn);
    if (outcome.status === "skipped") await log("info", `${upn} skipped: ${outcome.message ?? ""}`, upn);
    return {
      status: outcome.status,
      added: outcome.itemsAdded,
      changed: outcome.itemsChanged,
      removed: outcome.itemsRemoved,
    };
  } catch (e) {
    const message = describeFailure(e);
    const skips: TRunSkip[] = [];
    if (e instanceof GraphFailure && e.isNoMailbox) {
      await finishRunMailbox(db, row.id, { status: "skipped", message: "the user has no mailbox" });
      await log("warning", `${upn} skipped: the user has no mailbox.`, upn);
      return { status: "skipped", ...none };
    }
    await finishRunMailbox(db, row.id, { status: "error", message, errors: 1, skips });
    await log("error", `${upn}: ${message}`, upn);
    return { status: "error", ...none };
  } finally {
    tracker.done++;
    await lock.release();
    tracker.changed();
  }
}

type TPublishExtra = {
  lastResult?: TTaskProgressEvent["lastResult"];
  lastResultMessage?: string;
  final?: boolean;
};

/**
 * Latest Detail and live progress of one run. Writes are coalesced: at most one database write and
 * event per `runHeartbeatMs / 10` (and at least one per heartbeat, which also keeps the run alive).
 */
class ProgressTracker {
  total = 0;
  done = 0;
  private current = "";
  private command: string | null = null;
  private readonly timer: NodeJS.Timeout;
  private pending: Promise<void> = Promise.resolve();
  private lastWrite = 0;
  private isStopped = false;

  constructor(
    private readonly engine: TEngine,
    private readonly task: TaskRow,
    private readonly runId: string,
  ) {
    this.timer = setInterval(() => this.flush(true), engine.runHeartbeatMs);
    this.timer.unref();
  }

  async setCommand(command: string): Promise<void> {
    this.command = command;
    await setTaskState(this.engine.db, this.task.id, { command });
    await this.publish({});
  }

  /** "3 of 120 mailboxes — alice@contoso.com" (or a phase such as "resolving the target"). */
  latestDetail(): string {
    if (this.total === 0) return this.current;
    return `${this.done} of ${this.total} mailboxes${this.current ? ` — ${this.current}` : ""}`;
  }

  detail(current: string): void {
    this.current = current;
    this.changed();
  }

  changed(): void {
    if (Date.now() - this.lastWrite >= Math.max(200, this.engine.runHeartbeatMs / 10)) this.flush(false);
  }

  private flush(isHeartbeat: boolean): void {
    if (this.isStopped) return;
    this.lastWrite = Date.now();
    const detail = this.latestDetail();
    this.pending = this.pending
      .then(async () => {
        await heartbeatTaskRun(this.engine.db, this.runId, { latestDetail: detail });
        await this.emit({});
      })
      .catch((e) => {
        if (isHeartbeat) this.engine.log?.(`task ${this.task.id}: heartbeat failed: ${describeFailure(e)}`);
      });
  }

  /** Stops the timer and writes the last Latest Detail ("120 of 120 mailboxes"), kept after the run. */
  async finalDetail(): Promise<void> {
    this.stop();
    await this.pending;
    if (this.total > 0) {
      this.current = "";
      await heartbeatTaskRun(this.engine.db, this.runId, { latestDetail: this.latestDetail() });
    }
  }

  stop(): void {
    this.isStopped = true;
    clearInterval(this.timer);
  }

  /** Publishes the current state once the pending progress writes are done. */
  async publish(p: TPublishExtra): Promise<void> {
    await this.pending;
    await this.emit(p);
  }

  private async emit(p: TPublishExtra): Promise<void> {
    const row = await findTaskById(this.engine.db, this.task.id);
    const event: TTaskProgressEvent = {
      taskId: this.task.id,
      runId: this.runId,
      status: row?.status ?? (p.final ? "scheduled" : "running"),
      command: p.final ? null : this.command,
      latestDetail: row?.latest_detail ?? this.latestDetail(),
      mailboxesDone: this.done,
      mailboxesTotal: this.total,
      sequence: row?.sequence ?? 0,
      lastResult: p.lastResult ?? null,
      lastResultMessage: p.lastResultMessage ?? null,
      at: new Date().toISOString(),
    };
    await publishProgress(this.engine.redis, this.engine.redisPrefix, event);
  }
}
