import type { TDatabaseCheck, THealthReport } from "../lib/check-health";

const BADGE: Record<THealthReport["status"], { label: string; className: string }> = {
  ok: { label: "Operational", className: "bg-green-100 text-green-900 ring-green-700/30" },
  degraded: { label: "Needs attention", className: "bg-amber-100 text-amber-900 ring-amber-700/30" },
  unavailable: { label: "Unavailable", className: "bg-red-100 text-red-900 ring-red-700/30" },
};

function StatusBadge({ status }: { status: THealthReport["status"] }) {
  const badge = BADGE[status];
  return (
    <span
      className={`inline-flex rounded-full px-3 py-1 text-sm font-semibold ring-1 ring-inset ${badge.className}`}
    >
      {badge.label}
    </span>
  );
}

function databaseText(check: TDatabaseCheck): string {
  switch (check.status) {
    case "ok":
      return "Reachable; the schema is up to date.";
    case "degraded":
      return `Reachable. ${check.detail}`;
    case "unavailable":
      return check.reason;
  }
}

export function StatusPanel({ report }: { report: THealthReport }) {
  const checkedAt = new Date(report.checkedAt);
  return (
    <div className="mx-auto max-w-3xl px-4 py-12 sm:px-6">
      <div className="flex flex-wrap items-center gap-4">
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">System status</h1>
        <StatusBadge status={report.status} />
      </div>
      <dl className="mt-8 divide-y divide-slate-200 rounded-xl border border-slate-200">
        <div className="grid gap-1 p-4 sm:grid-cols-3 sm:gap-4">
          <dt className="font-medium text-slate-900">Portal</dt>
          <dd className="text-slate-700 sm:col-span-2">Running.</dd>
        </div>
        <div className="grid gap-1 p-4 sm:grid-cols-3 sm:gap-4">
          <dt className="font-medium text-slate-900">PostgreSQL</dt>
          <dd className="flex flex-wrap items-center gap-2 text-slate-700 sm:col-span-2">
            <StatusBadge status={report.checks.database.status} />
            <span>{databaseText(report.checks.database)}</span>
          </dd>
        </div>
      </dl>
      <p className="mt-4 text-sm text-slate-600">
        Checked at <time dateTime={report.checkedAt}>{checkedAt.toUTCString()}</time>. Machines can read the
        same report as JSON at{" "}
        <a className="text-brand-700 underline" href="/api/health">
          /api/health
        </a>
        .
      </p>
    </div>
  );
}
