import { sql } from "kysely";
import type {
  LogLevel,
  RunMailboxStatus,
  RunResult,
  RunTrigger,
  TaskRunLogRow,
  TaskRunMailboxRow,
  TaskRunRow,
  TRunSkip,
} from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/**
 * One execution of a task: a `task_runs` row with run totals, one `task_run_mailboxes` row per mailbox
 * processed, and summary log lines. The task row mirrors the run for the admin list (status, latest detail,
 * sequence, last result).
 *
 * Counting happens once: `finishRunMailbox` adds a mailbox's counters to the run and to the task's
 * `sequence` (the seed's "successful submissions": items added or changed) in one transaction.
 */

export type TRunMailboxResult = {
  status: Exclude<RunMailboxStatus, "running">;
  message?: string | null;
  itemsAdded?: number;
  itemsChanged?: number;
  itemsRemoved?: number;
  errors?: number;
  skips?: TRunSkip[];
  requests?: number;
  throttled?: number;
  /** Whether added + changed count as the task's Sequence (folder and calendar replication); default true. */
  isSequenced?: boolean;
};

export async function startTaskRun(
  db: DbOrTrx,
  run: {
    taskId: string;
    trigger?: RunTrigger;
    workerId?: string;
    definitionVersion?: number;
    mailboxesTotal?: number;
  },
): Promise<TaskRunRow> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto("task_runs")
      .values({
        task_id: run.taskId,
        trigger: run.trigger ?? "schedule",
        worker_id: run.workerId ?? null,
        definition_version: run.definitionVersion ?? null,
        mailboxes_total: run.mailboxesTotal ?? 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("tasks")
      .set({ status: "running", last_run_at: row.started_at, latest_detail: null, command: null })
      .where("id", "=", run.taskId)
      .execute();
    return row;
  });
}

/** Keeps the run alive (heartbeat) and sets the task's Latest Detail, e.g. "mailbox 3 of 120: a@b.c". */
export async function heartbeatTaskRun(
  db: DbOrTrx,
  runId: string,
  progress: { latestDetail?: string; mailboxesTotal?: number } = {},
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const run = await trx
      .updateTable("task_runs")
      .set({
        heartbeat_at: sql<Date>`now()`,
        ...(progress.mailboxesTotal !== undefined ? { mailboxes_total: progress.mailboxesTotal } : {}),
      })
      .where("id", "=", runId)
      .returning("task_id")
      .executeTakeFirst();
    if (run && progress.latestDetail !== undefined) {
      await trx
        .updateTable("tasks")
        .set({ latest_detail: progress.latestDetail })
        .where("id", "=", run.task_id)
        .execute();
    }
  });
}

export async function startRunMailbox(
  db: DbOrTrx,
  entry: { runId: string; mailboxId: string | null; upn: string },
): Promise<TaskRunMailboxRow> {
  return db
    .insertInto("task_run_mailboxes")
    .values({ run_id: entry.runId, mailbox_id: entry.mailboxId, upn: entry.upn, status: "running" })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Closes a mailbox's row and adds its counters to the run and the task's sequence, atomically. */
export async function finishRunMailbox(
  db: DbOrTrx,
  runMailboxId: number,
  result: TRunMailboxResult,
): Promise<TaskRunMailboxRow> {
  const added = result.itemsAdded ?? 0;
  const changed = result.itemsChanged ?? 0;
  const removed = result.itemsRemoved ?? 0;
  const errors = result.errors ?? 0;
  const skips = result.skips ?? [];
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable("task_run_mailboxes")
      .set({
        status: result.status,
        message: result.message ?? null,
        items_added: added,
        items_changed: changed,
        items_removed: removed,
        errors,
        skips: JSON.stringify(skips),
        requests: result.requests ?? 0,
        throttled: result.throttled ?? 0,
        finished_at: sql<Date>`now()`,
      })
      .where("id", "=", runMailboxId)
      .where("status", "=", "running")
      .returningAll()
      .executeTakeFirstOrThrow(
        () => new Error(`run mailbox ${runMailboxId} is not running (finished twice?)`),
      );
    const run = await trx
      .updateTable("task_runs")
      .set((eb) => ({
        mailboxes_done: eb("mailboxes_done", "+", 1),
        items_added: eb("items_added", "+", added),
        items_changed: eb("items_changed", "+", changed),
        items_removed: eb("items_removed", "+", removed),
        errors: eb("errors", "+", errors),
        skips: eb("skips", "+", skips.length),
        heartbeat_at: sql<Date>`now()`,
      }))
      .where("id", "=", row.run_id)
      .returning("task_id")
      .executeTakeFirstOrThrow();
    if (added + changed > 0 && result.isSequenced !== false) {
      await trx
        .updateTable("tasks")
        .set((eb) => ({ sequence: eb("sequence", "+", added + changed) }))
        .where("id", "=", run.task_id)
        .execute();
    }
    return row;
  });
}

/** Ends a run; the task goes back to Scheduled with the traffic-light result and message. */
export async function finishTaskRun(
  db: DbOrTrx,
  runId: string,
  outcome: { result: RunResult; message?: string | null; nextRunAt?: Date | null },
): Promise<TaskRunRow> {
  return inTransaction(db, async (trx) => {
    const run = await trx
      .updateTable("task_runs")
      .set({ status: outcome.result, message: outcome.message ?? null, finished_at: sql<Date>`now()` })
      .where("id", "=", runId)
      .where("status", "=", "running")
      .returningAll()
      .executeTakeFirstOrThrow(() => new Error(`task run ${runId} is not running (finished twice?)`));
    await trx
      .updateTable("tasks")
      .set({
        status: "scheduled",
        command: null,
        last_result: outcome.result,
        last_result_message: outcome.message ?? null,
        ...(outcome.nextRunAt !== undefined ? { next_run_at: outcome.nextRunAt } : {}),
      })
      .where("id", "=", run.task_id)
      // A newer run of the same task may have started meanwhile; it owns the task's status now.
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom("task_runs as newer")
              .select("newer.id")
              .whereRef("newer.task_id", "=", "tasks.id")
              .where("newer.status", "=", "running")
              .where("newer.id", "<>", runId),
          ),
        ),
      )
      .execute();
    return run;
  });
}

/**
 * Runs whose worker stopped sending heartbeats (killed, machine lost) are closed as errors so their task
 * can run again. Returns the runs it closed.
 */
export async function failStaleTaskRuns(db: DbOrTrx, heartbeatOlderThan: Date): Promise<TaskRunRow[]> {
  const stale = await db
    .selectFrom("task_runs")
    .select("id")
    .where("status", "=", "running")
    .where("heartbeat_at", "<", heartbeatOlderThan)
    .execute();
  const closed: TaskRunRow[] = [];
  for (const { id } of stale) {
    try {
      closed.push(await finishTaskRun(db, id, { result: "error", message: "the worker stopped responding" }));
    } catch {
      // finished by its worker between the select and now: nothing to close
    }
  }
  return closed;
}

export async function appendRunLog(
  db: DbOrTrx,
  runId: string,
  line: { level: LogLevel; message: string; mailboxUpn?: string | null },
): Promise<TaskRunLogRow> {
  return db
    .insertInto("task_run_logs")
    .values({ run_id: runId, level: line.level, message: line.message, mailbox_upn: line.mailboxUpn ?? null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A run's log lines in order; `afterId` continues where a previous read (or live tail) stopped. */
export async function listRunLogs(
  db: DbOrTrx,
  runId: string,
  page: { afterId?: number; limit?: number } = {},
): Promise<TaskRunLogRow[]> {
  let q = db.selectFrom("task_run_logs").selectAll().where("run_id", "=", runId);
  if (page.afterId !== undefined) q = q.where("id", ">", page.afterId);
  return q
    .orderBy("id")
    .limit(Math.min(Math.max(page.limit ?? 500, 1), 5000))
    .execute();
}

export async function findTaskRunById(db: DbOrTrx, runId: string): Promise<TaskRunRow | undefined> {
  return db.selectFrom("task_runs").selectAll().where("id", "=", runId).executeTakeFirst();
}

/** A task's runs, newest first (the seed's Task Summary Logs). */
export async function listTaskRuns(db: DbOrTrx, taskId: string, limit = 50): Promise<TaskRunRow[]> {
  return db
    .selectFrom("task_runs")
    .selectAll()
    .where("task_id", "=", taskId)
    .orderBy("started_at", "desc")
    .orderBy("id")
    .limit(Math.min(Math.max(limit, 1), 500))
    .execute();
}

export async function listRunMailboxes(db: DbOrTrx, runId: string): Promise<TaskRunMailboxRow[]> {
  return db.selectFrom("task_run_mailboxes").selectAll().where("run_id", "=", runId).orderBy("id").execute();
}
