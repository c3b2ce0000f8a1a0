import { sql } from "kysely";
import type { TaskRow, TaskStatus, TaskTargetKind, TaskType } from "../schema";
import type { DbOrTrx } from "../transaction";

/** What an admin sets on an Exchange Task (seed 004): site, schedule, definition, target. */
export type TTaskConfig = {
  name: string;
  siteId: string;
  scheduleId: string;
  definitionId: string;
  type: TaskType;
  targetKind: TaskTargetKind;
  /** Group name / DN / email address, one UPN, or a `;`-separated list of UPNs, by `targetKind`. */
  targetValue: string;
  targetGroupId?: string | null;
};

export type TaskWithNames = TaskRow & { site_name: string; schedule_name: string; definition_name: string };

export async function createTask(db: DbOrTrx, task: TTaskConfig, by: string): Promise<TaskRow> {
  return db
    .insertInto("tasks")
    .values({ ...toRow(task), created_by: by, updated_by: by })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Replaces a task's configuration and bumps `config_version`, which tells the scheduler (and a running
 * execution, at its end) that the task changed. Status, results and sequence are kept.
 */
export async function updateTask(
  db: DbOrTrx,
  id: string,
  task: TTaskConfig,
  by: string,
): Promise<TaskRow | undefined> {
  return db
    .updateTable("tasks")
    .set((eb) => ({
      ...toRow(task),
      config_version: eb("config_version", "+", 1),
      updated_at: sql<Date>`now()`,
      updated_by: by,
    }))
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function findTaskById(db: DbOrTrx, id: string): Promise<TaskRow | undefined> {
  return db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Tasks with the names of their site, schedule and definition (the admin list), optionally of one site. */
export async function listTasks(
  db: DbOrTrx,
  filter: { siteId?: string; type?: TaskType } = {},
): Promise<TaskWithNames[]> {
  let q = db
    .selectFrom("tasks as t")
    .innerJoin("sites as s", "s.id", "t.site_id")
    .innerJoin("schedules as sc", "sc.id", "t.schedule_id")
    .innerJoin("definitions as d", "d.id", "t.definition_id")
    .selectAll("t")
    .select(["s.name as site_name", "sc.name as schedule_name", "d.name as definition_name"]);
  if (filter.siteId) q = q.where("t.site_id", "=", filter.siteId);
  if (filter.type) q = q.where("t.type", "=", filter.type);
  return q.orderBy("t.name").orderBy("t.id").execute();
}

/** Sets what the task list shows while the engine works: status, command and latest detail. */
export async function setTaskState(
  db: DbOrTrx,
  id: string,
  state: {
    status?: TaskStatus;
    command?: string | null;
    latestDetail?: string | null;
    nextRunAt?: Date | null;
  },
): Promise<void> {
  await db
    .updateTable("tasks")
    .set({
      ...(state.status !== undefined ? { status: state.status } : {}),
      ...(state.command !== undefined ? { command: state.command } : {}),
      ...(state.latestDetail !== undefined ? { latest_detail: state.latestDetail } : {}),
      ...(state.nextRunAt !== undefined ? { next_run_at: state.nextRunAt } : {}),
    })
    .where("id", "=", id)
    .execute();
}

/** Deletes a task and its runs and logs (cascade). The caller resets the Full View of its mailboxes. */
export async function deleteTask(db: DbOrTrx, id: string): Promise<boolean> {
  const r = await db.deleteFrom("tasks").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

function toRow(t: TTaskConfig) {
  return {
    name: t.name,
    site_id: t.siteId,
    schedule_id: t.scheduleId,
    definition_id: t.definitionId,
    type: t.type,
    target_kind: t.targetKind,
    target_value: t.targetValue,
    target_group_id: t.targetGroupId ?? null,
  };
}
