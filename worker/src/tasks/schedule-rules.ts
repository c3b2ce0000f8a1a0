import type { ScheduleRow } from "@coffer/db/schema";
import type { TSchedule } from "@coffer/db/tasks/schedules";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

/**
 * Schedules (seed 004 "When and how frequently should the task be executed?"): a five-field cron
 * expression in a time zone, or an interval in minutes; optionally only inside a daily window (local time
 * of the schedule's zone; a window may cross midnight, 22:00–06:00). A tick outside the window starts no
 * run.
 */

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const MAX_INTERVAL_MINUTES = 7 * 24 * 60;

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression is unusable, in words, or undefined when it is fine. */
export function cronProblem(expression: string, timeZone = "UTC"): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return `"${expression.trim()}" is not a valid cron expression: it needs five fields (minute hour day-of-month month day-of-week), for example "0 */4 * * *" for every four hours.`;
  }
  try {
    CronExpressionParser.parse(fields.join(" "), { tz: isValidTimeZone(timeZone) ? timeZone : "UTC" }).next();
    return undefined;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return `"${expression.trim()}" is not a valid cron expression (${why}).`;
  }
}

const ZTime = z
  .string({ error: "Enter the time as HH:MM, for example 22:00." })
  .trim()
  .regex(HHMM, {
    error: (i) => `"${String(i.input)}" is not a time: use HH:MM (24 hours), for example 22:00.`,
  });

/** The schedule form. `window` limits runs to a daily time range; leave it out for "any time". */
export const ZScheduleInput = z
  .object({
    name: z
      .string({ error: "Give the schedule a name." })
      .trim()
      .min(1, { error: "Give the schedule a name." })
      .max(100, { error: "A schedule name can be at most 100 characters." }),
    kind: z.enum(["cron", "interval"], { error: 'Choose how the schedule repeats: "cron" or "interval".' }),
    cron: z.string().trim().optional(),
    intervalMinutes: z.coerce.number({ error: "The interval must be a number of minutes." }).optional(),
    timeZone: z
      .string()
      .trim()
      .default("UTC")
      .refine(isValidTimeZone, {
        error: (i) =>
          `"${String(i.input)}" is not a known time zone (use an IANA name such as Europe/London).`,
      }),
    window: z
      .object({ start: ZTime, end: ZTime })
      .refine((w) => w.start !== w.end, { error: "The window's start and end must differ." })
      .nullish(),
  })
  .superRefine((s, ctx) => {
    if (s.kind === "cron") {
      if (!s.cron) {
        ctx.addIssue({
          code: "custom",
          path: ["cron"],
          message: 'Enter a cron expression, for example "0 */4 * * *".',
        });
        return;
      }
      const problem = cronProblem(s.cron, s.timeZone);
      if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
    } else {
      const n = s.intervalMinutes;
      if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_INTERVAL_MINUTES) {
        ctx.addIssue({
          code: "custom",
          path: ["intervalMinutes"],
          message: `The interval must be a whole number of minutes from 1 to ${MAX_INTERVAL_MINUTES} (a week).`,
        });
      }
    }
  });
export type TScheduleInput = z.input<typeof ZScheduleInput>;

/** The validated form as the db module stores it. */
export function toDbSchedule(s: z.output<typeof ZScheduleInput>): TSchedule {
  const window = s.window ? { windowStart: `${s.window.start}:00`, windowEnd: `${s.window.end}:00` } : {};
  return s.kind === "cron"
    ? {
        name: s.name,
        kind: "cron",
        cron: (s.cron ?? "").split(/\s+/).join(" "),
        timeZone: s.timeZone,
        ...window,
      }
    : {
        name: s.name,
        kind: "interval",
        intervalMinutes: s.intervalMinutes ?? 0,
        timeZone: s.timeZone,
        ...window,
      };
}

type TScheduleLike = Pick<
  ScheduleRow,
  "kind" | "cron" | "interval_minutes" | "time_zone" | "window_start" | "window_end"
>;

/** BullMQ repeat options for a job scheduler. */
export function toRepeatOptions(s: TScheduleLike): { pattern: string; tz: string } | { every: number } {
  if (s.kind === "cron") return { pattern: s.cron ?? "", tz: s.time_zone };
  return { every: (s.interval_minutes ?? 0) * 60_000 };
}

function minutesOfDay(time: string): number {
  const [h, m] = time.split(":");
  return Number(h) * 60 + Number(m);
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === "hour")?.value ?? 0);
  const m = Number(parts.find((p) => p.type === "minute")?.value ?? 0);
  return h * 60 + m;
}

/** True when a run may start at `at`: no window, or `at` is inside it (start inclusive, end exclusive). */
export function isInsideWindow(s: TScheduleLike, at: Date): boolean {
  if (!s.window_start || !s.window_end) return true;
  const now = localMinutes(at, s.time_zone);
  const start = minutesOfDay(s.window_start);
  const end = minutesOfDay(s.window_end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/**
 * The schedule's ticks after `from`. Cron ticks are absolute (in the schedule's zone). Interval ticks are
 * `anchor + k·interval`: BullMQ anchors an interval scheduler at the moment it was created (its first run)
 * and reports the next tick (`next`), so callers pass that; without one, ticks are aligned to the epoch.
 */
function* ticks(s: TScheduleLike, from: Date, anchorMs?: number): Generator<Date> {
  if (s.kind === "cron") {
    const it = CronExpressionParser.parse(s.cron ?? "", { currentDate: from, tz: s.time_zone });
    for (;;) yield it.next().toDate();
  }
  const every = (s.interval_minutes ?? 1) * 60_000;
  const anchor = anchorMs ?? 0;
  let t = anchor + Math.floor((from.getTime() - anchor) / every) * every;
  if (t <= from.getTime()) t += every;
  for (; ; t += every) yield new Date(t);
}

/**
 * When the next run will start after `from`: the first tick inside the window (null if none within a
 * year). `anchorMs`: a known tick of an interval schedule (the BullMQ scheduler's `next`).
 */
export function nextRunAfter(s: TScheduleLike, from: Date, anchorMs?: number): Date | null {
  const limit = from.getTime() + 366 * 24 * 3600_000;
  for (const t of ticks(s, from, anchorMs)) {
    if (t.getTime() > limit) return null;
    if (isInsideWindow(s, t)) return t;
  }
  return null;
}

/** "Every 4 hours", "Cron 0 2 * * 1-5 (Europe/London)", with ", between 22:00 and 06:00" when windowed. */
export function describeSchedule(s: TScheduleLike): string {
  let text: string;
  if (s.kind === "interval") {
    const n = s.interval_minutes ?? 0;
    text =
      n % 1440 === 0 ? plural(n / 1440, "day") : n % 60 === 0 ? plural(n / 60, "hour") : plural(n, "minute");
    text = `Every ${text}`;
  } else {
    text = `Cron ${s.cron} (${s.time_zone})`;
  }
  if (s.window_start && s.window_end) {
    text += `, between ${s.window_start.slice(0, 5)} and ${s.window_end.slice(0, 5)}`;
    if (s.kind === "interval") text += ` (${s.time_zone})`;
  }
  return text;
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}
