import { sql } from "kysely";
import type { ScheduleRow } from "../schema";
import type { DbOrTrx } from "../transaction";

/**
 * A schedule is a cron expression or an interval, optionally limited to a daily window in its time zone.
 * The table's CHECK enforces that a cron schedule has `cron` and an interval one `intervalMinutes`; the
 * worker validates the cron expression itself (cron-parser lives there).
 */
export type TSchedule =
  | { name: string; kind: "cron"; cron: string; timeZone?: string; windowStart?: string; windowEnd?: string }
  | {
      name: string;
      kind: "interval";
      intervalMinutes: number;
      timeZone?: string;
      windowStart?: string;
      windowEnd?: string;
    };

export async function createSchedule(db: DbOrTrx, schedule: TSchedule, by: string): Promise<ScheduleRow> {
  return db.insertInto("schedules").values(toRow(schedule, by)).returningAll().executeTakeFirstOrThrow();
}

/** Replaces a schedule's settings; tasks pick the change up through `updated_at` (seed: within two minutes). */
export async function updateSchedule(
  db: DbOrTrx,
  id: string,
  schedule: TSchedule,
  by: string,
): Promise<ScheduleRow | undefined> {
  return db
    .updateTable("schedules")
    .set({ ...toRow(schedule, by), updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function findScheduleById(db: DbOrTrx, id: string): Promise<ScheduleRow | undefined> {
  return db.selectFrom("schedules").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function listSchedules(db: DbOrTrx): Promise<ScheduleRow[]> {
  return db.selectFrom("schedules").selectAll().orderBy("name").execute();
}

/** Deletes an unused schedule; throws (foreign key) while a task still uses it. */
export async function deleteSchedule(db: DbOrTrx, id: string): Promise<boolean> {
  const r = await db.deleteFrom("schedules").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

function toRow(s: TSchedule, by: string) {
  return {
    name: s.name,
    kind: s.kind,
    cron: s.kind === "cron" ? s.cron : null,
    interval_minutes: s.kind === "interval" ? s.intervalMinutes : null,
    time_zone: s.timeZone ?? "UTC",
    window_start: s.windowStart ?? null,
    window_end: s.windowEnd ?? null,
    updated_by: by,
  };
}
