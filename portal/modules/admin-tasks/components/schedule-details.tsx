import type { TScheduleView } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatDateTime } from "../lib/format";
import { adminPaths } from "../lib/paths";
import { LINK } from "./ui";

/** Beside the schedule form: who changed it last, how many tasks use it, and its next start times. */
export function ScheduleDetails({
  schedule,
  usage,
  nextRuns,
}: {
  schedule: TScheduleView;
  usage: number;
  nextRuns: Date[];
}) {
  return (
    <aside aria-labelledby="schedule-facts" className="space-y-4 text-sm">
      <h2 id="schedule-facts" className="text-lg font-semibold text-slate-900">
        About this schedule
      </h2>
      <dl className="space-y-2">
        <div>
          <dt className="font-medium text-slate-700">Used by</dt>
          <dd className="text-slate-900">
            {usage} {usage === 1 ? "task" : "tasks"}{" "}
            {usage > 0 ? (
              <Link href={adminPaths.tasks()} className={LINK}>
                (task list)
              </Link>
            ) : null}
          </dd>
        </div>
        <div>
          <dt className="font-medium text-slate-700">Last modified</dt>
          <dd className="text-slate-900">
            {formatDateTime(schedule.updatedAt)}
            {schedule.updatedBy ? ` by ${schedule.updatedBy}` : ""}
          </dd>
        </div>
      </dl>
      <div>
        <h3 className="font-medium text-slate-700">Next start times</h3>
        {nextRuns.length ? (
          <ol className="mt-1 list-decimal pl-5 text-slate-900">
            {nextRuns.map((d) => (
              <li key={d.toISOString()}>{formatDateTime(d)}</li>
            ))}
          </ol>
        ) : (
          <p className="mt-1 text-slate-700">None within a year.</p>
        )}
        <p className="mt-1 text-xs text-slate-600">
          An interval counts from when a task using it was saved; times here count from now.
        </p>
      </div>
    </aside>
  );
}
