import type { RunResult, RunStatus, TaskStatus } from "@coffer/db/schema";
import Link from "next/link";
import type { ReactNode } from "react";
import { adminPaths } from "../lib/paths";

/** Small building blocks shared by the admin console's pages. Colour is never the only signal. */

export const BUTTON_PRIMARY =
  "inline-flex items-center justify-center rounded-md bg-brand-800 px-4 py-2 text-sm font-medium text-white hover:bg-brand-900 disabled:cursor-not-allowed disabled:opacity-60";
export const BUTTON_SECONDARY =
  "inline-flex items-center justify-center rounded-md border border-slate-400 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60";
export const BUTTON_DANGER =
  "inline-flex items-center justify-center rounded-md bg-red-700 px-4 py-2 text-sm font-medium text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-60";
export const INPUT =
  "mt-1 block w-full rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm text-slate-900 aria-[invalid=true]:border-red-700";
export const LABEL = "block text-sm font-medium text-slate-800";
export const HINT = "mt-1 text-sm text-slate-600";
export const LINK = "font-medium text-brand-800 underline-offset-2 hover:underline";
export const TH = "px-3 py-2 text-left font-semibold text-slate-700";
export const TD = "px-3 py-2 align-top text-slate-800";

type TSection = "overview" | "dashboard" | "tasks" | "definitions" | "schedules" | "sites";

const SECTIONS: Array<{ key: TSection | "users"; href: string; label: string }> = [
  { key: "overview", href: adminPaths.home, label: "Sync Overview" },
  { key: "dashboard", href: adminPaths.dashboard, label: "Exchange Services" },
  { key: "tasks", href: adminPaths.tasks(), label: "Exchange Tasks" },
  { key: "definitions", href: adminPaths.definitions(), label: "Definitions" },
  { key: "schedules", href: adminPaths.schedules, label: "Schedules" },
  { key: "sites", href: adminPaths.sites, label: "Sites" },
  { key: "users", href: "/admin/users", label: "Users" },
];

/** The admin area's own navigation, with the current section marked. */
export function AdminNav({ current }: { current: TSection }) {
  return (
    <nav aria-label="Administration" className="border-b border-slate-200 bg-slate-50">
      <ul className="mx-auto flex max-w-7xl flex-wrap gap-1 px-4 py-2 text-sm sm:px-6">
        {SECTIONS.map((s) => (
          <li key={s.key}>
            <Link
              href={s.href}
              aria-current={s.key === current ? "page" : undefined}
              className={`block rounded-md px-3 py-1.5 font-medium ${
                s.key === current
                  ? "bg-white text-brand-800 shadow-sm ring-1 ring-slate-200"
                  : "text-slate-700 hover:bg-white hover:text-slate-900"
              }`}
            >
              {s.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The frame of every admin page: the admin navigation, a heading, an optional intro and actions. */
export function AdminPage({
  section,
  title,
  intro,
  actions,
  children,
  breadcrumbs,
}: {
  section: TSection;
  title: string;
  intro?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  breadcrumbs?: Array<{ href: string; label: string }>;
}) {
  return (
    <>
      <AdminNav current={section} />
      <div className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
        {breadcrumbs?.length ? (
          <nav aria-label="Breadcrumb" className="mb-2 text-sm">
            <ol className="flex flex-wrap gap-1 text-slate-600">
              {breadcrumbs.map((b) => (
                <li key={b.href} className="after:ml-1 after:content-['/'] last:after:content-none">
                  <Link href={b.href} className={LINK}>
                    {b.label}
                  </Link>
                </li>
              ))}
            </ol>
          </nav>
        ) : null}
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0">
            <h1 className="break-words text-3xl font-bold tracking-tight text-slate-900">{title}</h1>
            {intro ? <div className="mt-2 max-w-3xl text-slate-700">{intro}</div> : null}
          </div>
          {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
        </div>
        <div className="mt-6">{children}</div>
      </div>
    </>
  );
}

const RESULT_STYLE: Record<RunResult, { dot: string; text: string; label: string }> = {
  success: { dot: "bg-green-600", text: "text-green-800", label: "Success" },
  warning: { dot: "bg-amber-500", text: "text-amber-900", label: "Warning" },
  error: { dot: "bg-red-600", text: "text-red-800", label: "Error" },
};

/** The seed's traffic light: green success, orange warning, red error — with the word, not colour alone. */
export function TrafficLight({ result, title }: { result: RunResult | null; title?: string | null }) {
  if (!result) return <span className="text-slate-600">No result yet</span>;
  const s = RESULT_STYLE[result];
  return (
    <span
      className={`inline-flex items-center gap-1.5 font-medium ${s.text}`}
      title={title ?? undefined}
      data-result={result}
    >
      <span
        aria-hidden="true"
        className={`inline-block h-3 w-3 rounded-full ${s.dot} ring-1 ring-black/10`}
      />
      {s.label}
    </span>
  );
}

export const TASK_STATUS_LABEL: Record<TaskStatus, string> = {
  unknown: "Unknown",
  scheduled: "Scheduled",
  running: "Running",
};

export function TaskStatusBadge({ status }: { status: TaskStatus }) {
  const style =
    status === "running"
      ? "bg-brand-50 text-brand-800 ring-brand-200"
      : status === "scheduled"
        ? "bg-slate-100 text-slate-800 ring-slate-300"
        : "bg-white text-slate-700 ring-slate-300";
  return (
    <span
      className={`inline-flex items-center rounded px-2 py-0.5 text-xs font-semibold ring-1 ${style}`}
      data-status={status}
    >
      {TASK_STATUS_LABEL[status]}
    </span>
  );
}

/** A run's state in logs and activity lists: Running, or its result. */
export function RunStatusLabel({ status }: { status: RunStatus }) {
  return status === "running" ? <TaskStatusBadge status="running" /> : <TrafficLight result={status} />;
}

export function UnavailableTag() {
  return (
    <span className="inline-flex items-center rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900">
      Not available in this version
    </span>
  );
}

/** A status message after an action (saved, created, removed). */
export function Notice({ tone = "success", children }: { tone?: "success" | "error"; children: ReactNode }) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={`mb-6 rounded-md border px-4 py-3 text-sm ${
        tone === "error"
          ? "border-red-300 bg-red-50 text-red-900"
          : "border-green-300 bg-green-50 text-green-900"
      }`}
    >
      {children}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="rounded-md border border-slate-200 bg-slate-50 p-6 text-slate-700">{children}</p>;
}
