import { sql } from "kysely";
import type { RunResult, TaskRow, TaskRunRow, TaskType } from "../schema";
import type { DbOrTrx } from "../transaction";
import type { TaskWithNames } from "./tasks";

/**
 * Reads the Exchange Tasks engine and console need beyond tasks.ts / task-runs.ts: lookups by name, the
 * running and latest run of a task, recent activity, counts per type, runs per day, and the mailboxes a
 * task has processed (whose Full View its deletion resets).
 */

/** Tasks whose name is `name`, ignoring case (names are not unique). */
export async function findTasksByName(db: DbOrTrx, name: string): Promise<TaskRow[]> {
  return db
    .selectFrom("tasks")
    .selectAll()
    .where(sql<string>`lower(name)`, "=", name.trim().toLowerCase())
    .orderBy("created_at")
    .execute();
}

/** The task's execution in progress (status running), newest first; undefined when none. */
export async function findRunningRun(db: DbOrTrx, taskId: string): Promise<TaskRunRow | undefined> {
  return db
    .selectFrom("task_runs")
    .selectAll()
    .where("task_id", "=", taskId)
    .where("status", "=", "running")
    .orderBy("started_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** The latest runs of many tasks at once (list pages), keyed by task id. */
export async function latestRunsOf(
  db: DbOrTrx,
  taskIds: readonly string[],
): Promise<Map<string, TaskRunRow>> {
  if (taskIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("task_runs")
    .selectAll()
    .distinctOn("task_id")
    .where("task_id", "in", [...taskIds])
    .orderBy("task_id")
    .orderBy("started_at", "desc")
    .execute();
  return new Map(rows.map((r) => [r.task_id, r]));
}

export type TRecentRun = TaskRunRow & { task_name: string; task_type: TaskType };

/** The newest runs across all tasks (the dashboard's recent task activity). */
export async function listRecentRuns(db: DbOrTrx, limit = 20): Promise<TRecentRun[]> {
  return db
    .selectFrom("task_runs as r")
    .innerJoin("tasks as t", "t.id", "r.task_id")
    .selectAll("r")
    .select(["t.name as task_name", "t.type as task_type"])
    .orderBy("r.started_at", "desc")
    .limit(Math.min(Math.max(limit, 1), 200))
    .execute();
}

/** Definitions and tasks per type (the dashboard's Exchange Tasks widget). */
export async function countByType(
  db: DbOrTrx,
): Promise<Array<{ type: TaskType; definitions: number; tasks: number; running: number }>> {
  const defs = await db
    .selectFrom("definitions")
    .select(["type", (eb) => eb.fn.countAll<string>().as("n")])
    .groupBy("type")
    .execute();
  const tasks = await db
    .selectFrom("tasks")
    .select([
      "type",
      (eb) => eb.fn.countAll<string>().as("n"),
      sql<string>`count(*) FILTER (WHERE status = 'running')`.as("running"),
    ])
    .groupBy("type")
    .execute();
  const types = new Set<TaskType>([...defs.map((d) => d.type), ...tasks.map((t) => t.type)]);
  return [...types].map((type) => {
    const t = tasks.find((x) => x.type === type);
    return {
      type,
      definitions: Number(defs.find((d) => d.type === type)?.n ?? 0),
      tasks: Number(t?.n ?? 0),
      running: Number(t?.running ?? 0),
    };
  });
}

/** Finished runs per UTC day and result since `since` (the sync overview chart). */
export async function countRunsPerDay(
  db: DbOrTrx,
  since: Date,
): Promise<Array<{ day: string; result: RunResult; runs: number; mailboxes: number; items: number }>> {
  const rows = await db
    .selectFrom("task_runs")
    .select([
      sql<string>`to_char(date_trunc('day', started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`.as("day"),
      "status",
      (eb) => eb.fn.countAll<string>().as("runs"),
      sql<string>`sum(mailboxes_done)`.as("mailboxes"),
      sql<string>`sum(items_added + items_changed)`.as("items"),
    ])
    .where("started_at", ">=", since)
    .where("status", "<>", "running")
    .groupBy(["day", "status"])
    .orderBy("day")
    .execute();
  return rows.map((r) => ({
    day: r.day,
    result: r.status as RunResult,
    runs: Number(r.runs),
    mailboxes: Number(r.mailboxes ?? 0),
    items: Number(r.items ?? 0),
  }));
}

/** Every mailbox any run of the task processed (its per-mailbox rows), ids only. */
export async function listTaskMailboxIds(db: DbOrTrx, taskId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("task_run_mailboxes as m")
    .innerJoin("task_runs as r", "r.id", "m.run_id")
    .select("m.mailbox_id")
    .distinct()
    .where("r.task_id", "=", taskId)
    .where("m.mailbox_id", "is not", null)
    .execute();
  return rows.map((r) => r.mailbox_id).filter((id): id is string => id !== null);
}

/** The archive's totals for the admin home: active mailboxes, retention policies, stored bytes. */
export async function archiveTotals(
  db: DbOrTrx,
): Promise<{ activeMailboxes: number; policies: number; storedBytes: number; originalBytes: number }> {
  const r = await sql<{ active: string; policies: string; stored: string | null; original: string | null }>`
    SELECT
      (SELECT count(*) FROM mailboxes WHERE account_enabled AND licensed AND has_mailbox AND deprovisioned_at IS NULL) AS active,
      (SELECT count(*) FROM retention_policies) AS policies,
      (SELECT sum(stored_size) FROM blobs) AS stored,
      (SELECT sum(size) FROM blobs) AS original`.execute(db);
  const row = r.rows[0];
  return {
    activeMailboxes: Number(row?.active ?? 0),
    policies: Number(row?.policies ?? 0),
    storedBytes: Number(row?.stored ?? 0),
    originalBytes: Number(row?.original ?? 0),
  };
}

/** Item skips the sync engine recorded for a mailbox since `since` (the per-mailbox row's detail). */
export async function listRecentItemSkips(
  db: DbOrTrx,
  mailboxId: string,
  since: Date,
  limit = 100,
): Promise<Array<{ graph_id: string; reason: string; detail: string | null }>> {
  return db
    .selectFrom("item_skips")
    .select(["graph_id", "reason", "detail"])
    .where("mailbox_id", "=", mailboxId)
    .where("created_at", ">=", since)
    .orderBy("id")
    .limit(limit)
    .execute();
}

/** One task with the names of its site, schedule and definition. */
export async function findTaskWithNames(db: DbOrTrx, id: string): Promise<TaskWithNames | undefined> {
  return db
    .selectFrom("tasks as t")
    .innerJoin("sites as s", "s.id", "t.site_id")
    .innerJoin("schedules as sc", "sc.id", "t.schedule_id")
    .innerJoin("definitions as d", "d.id", "t.definition_id")
    .selectAll("t")
    .select(["s.name as site_name", "sc.name as schedule_name", "d.name as definition_name"])
    .where("t.id", "=", id)
    .executeTakeFirst();
}

/** The tasks that use a schedule or a definition (id and name), to refuse deleting it while in use. */
export async function listTasksUsing(
  db: DbOrTrx,
  ref: { scheduleId?: string; definitionId?: string; siteId?: string },
): Promise<Array<{ id: string; name: string; site_id: string }>> {
  let q = db.selectFrom("tasks").select(["id", "name", "site_id"]);
  if (ref.scheduleId) q = q.where("schedule_id", "=", ref.scheduleId);
  if (ref.definitionId) q = q.where("definition_id", "=", ref.definitionId);
  if (ref.siteId) q = q.where("site_id", "=", ref.siteId);
  return q.orderBy("name").execute();
}

/** How many tasks use each schedule and each definition. */
export async function countTaskUsage(
  db: DbOrTrx,
): Promise<{ schedules: Map<string, number>; definitions: Map<string, number>; sites: Map<string, number> }> {
  const rows = await db.selectFrom("tasks").select(["schedule_id", "definition_id", "site_id"]).execute();
  const count = (key: "schedule_id" | "definition_id" | "site_id") => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(r[key], (m.get(r[key]) ?? 0) + 1);
    return m;
  };
  return { schedules: count("schedule_id"), definitions: count("definition_id"), sites: count("site_id") };
}
