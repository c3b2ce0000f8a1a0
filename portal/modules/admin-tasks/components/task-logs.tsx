import type { RunMailboxStatus } from "@coffer/db/schema";
import type { TRunDetail, TRunSummary } from "@coffer/worker/tasks/index";
import Link from "next/link";
import { formatCount, formatDateTime, formatDuration, TRIGGER_LABEL } from "../lib/format";
import { adminPaths } from "../lib/paths";
import { EmptyState, LINK, RunStatusLabel, TD, TH } from "./ui";

/** Logs | Task Summary Logs (seed 004): one entry per execution with its date, status and message. */
export function TaskSummaryLogs({ taskId, runs }: { taskId: string; runs: TRunSummary[] }) {
  return (
    <section aria-labelledby="logs-heading">
      <h2 id="logs-heading" className="text-xl font-semibold text-slate-900">
        Task Summary Logs
      </h2>
      {runs.length === 0 ? (
        <div className="mt-3">
          <EmptyState>This task has not run yet.</EmptyState>
        </div>
      ) : (
        <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full min-w-[52rem] text-sm">
            <caption className="sr-only">Executions of this task, newest first</caption>
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                <th scope="col" className={TH}>
                  Date
                </th>
                <th scope="col" className={TH}>
                  Status
                </th>
                <th scope="col" className={TH}>
                  Started by
                </th>
                <th scope="col" className={TH}>
                  Mailboxes
                </th>
                <th scope="col" className={TH}>
                  Duration
                </th>
                <th scope="col" className={TH}>
                  Message
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {runs.map((r) => (
                <tr key={r.id} data-run-id={r.id}>
                  <td className={`${TD} whitespace-nowrap`}>
                    <Link href={adminPaths.taskRun(taskId, r.id)} className={LINK}>
                      {formatDateTime(r.startedAt)}
                    </Link>
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>
                    <RunStatusLabel status={r.status} />
                  </td>
                  <td className={TD}>{TRIGGER_LABEL[r.trigger]}</td>
                  <td className={`${TD} tabular-nums`}>
                    {r.mailboxesDone} of {r.mailboxesTotal}
                  </td>
                  <td className={`${TD} whitespace-nowrap`}>{formatDuration(r.durationSeconds)}</td>
                  <td className={`${TD} max-w-md break-words text-slate-700`}>{r.message ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const MAILBOX_STATUS: Record<RunMailboxStatus, string> = {
  running: "Running",
  success: "Success",
  warning: "Warning",
  error: "Error",
  skipped: "Skipped",
};

/** One execution in detail: its summary, a row per mailbox (items, errors, skips with reasons), its log. */
export function RunDetail({ detail }: { detail: TRunDetail }) {
  const { run } = detail;
  return (
    <div className="space-y-8">
      <section aria-labelledby="run-summary-heading">
        <h2 id="run-summary-heading" className="text-xl font-semibold text-slate-900">
          Execution of {formatDateTime(run.startedAt)}
        </h2>
        <dl className="mt-2 grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="font-medium text-slate-700">Status</dt>
          <dd>
            <RunStatusLabel status={run.status} />
          </dd>
          <dt className="font-medium text-slate-700">Message</dt>
          <dd className="break-words text-slate-900">{run.message ?? "—"}</dd>
          <dt className="font-medium text-slate-700">Started by</dt>
          <dd className="text-slate-900">{TRIGGER_LABEL[run.trigger]}</dd>
          <dt className="font-medium text-slate-700">Finished</dt>
          <dd className="text-slate-900">
            {formatDateTime(run.finishedAt)} ({formatDuration(run.durationSeconds)})
          </dd>
          <dt className="font-medium text-slate-700">Mailboxes</dt>
          <dd className="text-slate-900">
            {run.mailboxesDone} of {run.mailboxesTotal}
          </dd>
          <dt className="font-medium text-slate-700">Items</dt>
          <dd className="text-slate-900">
            {formatCount(run.itemsAdded)} added, {formatCount(run.itemsChanged)} changed,{" "}
            {formatCount(run.itemsRemoved)} removed; {run.errors} errors, {run.skips} skipped
          </dd>
          <dt className="font-medium text-slate-700">Definition version</dt>
          <dd className="text-slate-900">{run.definitionVersion ?? "—"}</dd>
          <dt className="font-medium text-slate-700">Worker</dt>
          <dd className="break-words text-slate-900">{run.workerId ?? "—"}</dd>
        </dl>
      </section>

      <section aria-labelledby="run-mailboxes-heading">
        <h2 id="run-mailboxes-heading" className="text-xl font-semibold text-slate-900">
          Mailboxes
        </h2>
        {detail.mailboxes.length === 0 ? (
          <div className="mt-3">
            <EmptyState>No mailbox was processed in this execution.</EmptyState>
          </div>
        ) : (
          <div className="mt-3 overflow-x-auto rounded-md border border-slate-200">
            <table className="w-full min-w-[56rem] text-sm">
              <caption className="sr-only">One row per mailbox processed in this execution</caption>
              <thead className="border-b border-slate-200 bg-slate-50">
                <tr>
                  <th scope="col" className={TH}>
                    Mailbox
                  </th>
                  <th scope="col" className={TH}>
                    Status
                  </th>
                  <th scope="col" className={TH}>
                    Added
                  </th>
                  <th scope="col" className={TH}>
                    Changed
                  </th>
                  <th scope="col" className={TH}>
                    Removed
                  </th>
                  <th scope="col" className={TH}>
                    Errors
                  </th>
                  <th scope="col" className={TH}>
                    Skipped items
                  </th>
                  <th scope="col" className={TH}>
                    Duration
                  </th>
                  <th scope="col" className={TH}>
                    Message
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {detail.mailboxes.map((m) => (
                  <tr key={m.id} data-mailbox={m.upn}>
                    <th scope="row" className={`${TD} break-all text-left font-medium`}>
                      {m.upn}
                    </th>
                    <td className={TD}>{MAILBOX_STATUS[m.status]}</td>
                    <td className={`${TD} tabular-nums`}>{formatCount(m.itemsAdded)}</td>
                    <td className={`${TD} tabular-nums`}>{formatCount(m.itemsChanged)}</td>
                    <td className={`${TD} tabular-nums`}>{formatCount(m.itemsRemoved)}</td>
                    <td className={`${TD} tabular-nums`}>{m.errors}</td>
                    <td className={TD}>
                      {m.skips.length === 0 ? (
                        "0"
                      ) : (
                        <details>
                          <summary className="cursor-pointer">{m.skips.length}</summary>
                          <ul className="mt-1 list-disc pl-5 text-slate-700">
                            {m.skips.map((s) => (
                              <li key={`${s.graphId}-${s.reason}`}>
                                {s.reason}
                                {s.detail ? `: ${s.detail}` : ""}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                    <td className={`${TD} whitespace-nowrap`}>{formatDuration(m.durationSeconds)}</td>
                    <td className={`${TD} max-w-xs break-words text-slate-700`}>{m.message ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="run-log-heading">
        <h2 id="run-log-heading" className="text-xl font-semibold text-slate-900">
          Log
        </h2>
        {detail.logs.length === 0 ? (
          <p className="mt-2 text-slate-700">No log lines.</p>
        ) : (
          <ol className="mt-3 divide-y divide-slate-100 rounded-md border border-slate-200 font-mono text-xs">
            {detail.logs.map((l) => (
              <li key={l.id} className="flex flex-wrap gap-x-3 px-3 py-1.5">
                <span className="text-slate-600">{l.at.toISOString().slice(11, 19)}</span>
                <span
                  className={
                    l.level === "error"
                      ? "font-semibold text-red-800"
                      : l.level === "warning"
                        ? "font-semibold text-amber-900"
                        : "text-slate-700"
                  }
                >
                  {l.level}
                </span>
                <span className="min-w-0 flex-1 break-words text-slate-900">{l.message}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      <p>
        <Link href={adminPaths.taskLogs(run.taskId)} className={LINK}>
          Back to the Task Summary Logs
        </Link>
      </p>
    </div>
  );
}
