import { appendAudit } from "@coffer/db/audit/audit-log";
import * as dbSchedules from "@coffer/db/tasks/schedules";
import { countTaskUsage, listTasksUsing } from "@coffer/db/tasks/task-queries";
import { inTransaction } from "@coffer/db/transaction";
import type { TTasksContext } from "./context";
import { isUuid, parseInput, TaskConflictError, TaskInputError, TaskNotFoundError } from "./errors";
import {
  describeSchedule,
  nextRunAfter,
  type TScheduleInput,
  toDbSchedule,
  toRepeatOptions,
  ZScheduleInput,
} from "./schedule-rules";
import { scheduleView, type TScheduleView } from "./views";

/** Schedules: list, show, create, update, delete, and a preview of the next runs for the form. */

export type TScheduleListItem = TScheduleView & { taskCount: number };

export async function listSchedules(ctx: TTasksContext): Promise<TScheduleListItem[]> {
  const [rows, usage] = await Promise.all([dbSchedules.listSchedules(ctx.db), countTaskUsage(ctx.db)]);
  return rows.map((s) => ({ ...scheduleView(s), taskCount: usage.schedules.get(s.id) ?? 0 }));
}

export async function getSchedule(ctx: TTasksContext, id: string): Promise<TScheduleView> {
  const row = await findOr404(ctx, id);
  return scheduleView(row);
}

/** Validates and saves a new schedule. Throws TaskInputError (nothing saved) on invalid input. */
export async function createSchedule(
  ctx: TTasksContext,
  input: TScheduleInput,
  actor: string,
): Promise<TScheduleView> {
  const parsed = parseInput(ZScheduleInput, input);
  await assertNameFree(ctx, parsed.name);
  const row = await inTransaction(ctx.db, async (trx) => {
    const created = await dbSchedules.createSchedule(trx, toDbSchedule(parsed), actor);
    await appendAudit(trx, {
      actorUpn: actor,
      action: "schedule.create",
      target: created.id,
      detail: { name: created.name },
    });
    return created;
  });
  return scheduleView(row);
}

/**
 * Replaces a schedule's settings. Tasks using it pick the change up within a minute (the worker's
 * reconciler), at once when Redis is reachable from here; a running execution is not affected.
 */
export async function updateSchedule(
  ctx: TTasksContext,
  id: string,
  input: TScheduleInput,
  actor: string,
): Promise<TScheduleView> {
  const parsed = parseInput(ZScheduleInput, input);
  await findOr404(ctx, id);
  await assertNameFree(ctx, parsed.name, id);
  const row = await inTransaction(ctx.db, async (trx) => {
    const updated = await dbSchedules.updateSchedule(trx, id, toDbSchedule(parsed), actor);
    if (!updated) throw new TaskNotFoundError(`The schedule ${id} no longer exists.`);
    await appendAudit(trx, {
      actorUpn: actor,
      action: "schedule.update",
      target: id,
      detail: { name: updated.name },
    });
    return updated;
  });
  const repeat = toRepeatOptions(row);
  for (const t of await listTasksUsing(ctx.db, { scheduleId: id })) {
    await ctx.producer.upsertScheduler(t.site_id, t.id, repeat).catch(() => {
      // Redis unreachable from here: the worker's reconciler applies it within a minute.
    });
  }
  return scheduleView(row);
}

/** Deletes a schedule no task uses; TaskConflictError names the tasks that still use it. */
export async function deleteSchedule(ctx: TTasksContext, id: string, actor: string): Promise<void> {
  const row = await findOr404(ctx, id);
  const users = await listTasksUsing(ctx.db, { scheduleId: id });
  if (users.length) {
    throw new TaskConflictError(
      `The schedule "${row.name}" is used by ${users.length === 1 ? "the task" : `${users.length} tasks:`} ${users.map((u) => `"${u.name}"`).join(", ")}; give ${users.length === 1 ? "it" : "them"} another schedule first.`,
    );
  }
  await inTransaction(ctx.db, async (trx) => {
    await dbSchedules.deleteSchedule(trx, id);
    await appendAudit(trx, {
      actorUpn: actor,
      action: "schedule.delete",
      target: id,
      detail: { name: row.name },
    });
  });
}

/** For the form: the description and the next `count` run times of a schedule being edited. */
export function previewSchedule(
  input: TScheduleInput,
  count = 5,
  from: Date = new Date(),
): { description: string; nextRuns: Date[] } {
  const s = toDbSchedule(parseInput(ZScheduleInput, input));
  const row = {
    kind: s.kind,
    cron: s.kind === "cron" ? s.cron : null,
    interval_minutes: s.kind === "interval" ? s.intervalMinutes : null,
    time_zone: s.timeZone ?? "UTC",
    window_start: s.windowStart ?? null,
    window_end: s.windowEnd ?? null,
  };
  const nextRuns: Date[] = [];
  let at = from;
  // An interval schedule starts when the task is saved: its first run is now.
  for (let i = 0; i < count; i++) {
    const next = nextRunAfter(row, at, row.kind === "interval" ? from.getTime() : undefined);
    if (!next) break;
    nextRuns.push(next);
    at = next;
  }
  return { description: describeSchedule(row), nextRuns };
}

async function findOr404(ctx: TTasksContext, id: string) {
  const row = isUuid(id) ? await dbSchedules.findScheduleById(ctx.db, id) : undefined;
  if (!row) throw new TaskNotFoundError(`There is no schedule ${id}.`);
  return row;
}

async function assertNameFree(ctx: TTasksContext, name: string, exceptId?: string): Promise<void> {
  const clash = (await dbSchedules.listSchedules(ctx.db)).find(
    (s) => s.name.toLowerCase() === name.toLowerCase() && s.id !== exceptId,
  );
  if (clash) throw TaskInputError.field("name", `A schedule named "${clash.name}" already exists.`);
}
