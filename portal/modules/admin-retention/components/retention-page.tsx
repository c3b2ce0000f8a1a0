import type { TRetentionSettings } from "@coffer/db/retention/index";
import Link from "next/link";
import { PolicyForm } from "./policy-form";

function days(n: number): string {
  return `${n.toLocaleString("en-US")} days`;
}

/** Admin › Retention: the Default policy (editable), other policies (read-only) and the rules in force. */
export function RetentionPage({ settings }: { settings: TRetentionSettings }) {
  const p = settings.defaultPolicy;
  return (
    <div className="mx-auto max-w-5xl px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/admin" className="underline hover:text-slate-900">
          Admin
        </Link>{" "}
        <span aria-hidden="true">›</span> Retention
      </nav>
      <h1 className="mt-2 text-2xl font-bold tracking-tight text-slate-900">Retention policy</h1>
      <p className="mt-2 max-w-3xl text-sm text-slate-700">
        Per data type: whether Coffer syncs it, and how many days it keeps each version after it was deleted
        or replaced. Turning sync off for a type deletes what was archived for it; a shorter retention deletes
        what falls outside it. Mailboxes on legal hold keep everything. You see exactly what will be deleted
        before anything changes.{" "}
        <Link href="/admin/holds" className="underline">
          Legal holds
        </Link>
      </p>

      <section aria-labelledby="default-policy" className="mt-6 rounded-md border border-slate-200 p-4">
        <h2 id="default-policy" className="text-lg font-semibold text-slate-900">
          {p.name} policy
        </h2>
        <p className="text-sm text-slate-600">
          Last changed {p.updatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC
          {p.updatedBy ? ` by ${p.updatedBy}` : ""}.
        </p>
        <div className="mt-4">
          <PolicyForm
            rules={p.rules}
            updatedAt={p.updatedAt.toISOString()}
            bounds={{ minDays: settings.bounds.minDays, maxDays: settings.bounds.maxDays }}
          />
        </div>
      </section>

      {settings.otherPolicies.length ? (
        <section aria-labelledby="other-policies" className="mt-6">
          <h2 id="other-policies" className="text-lg font-semibold text-slate-900">
            Other policies (read-only)
          </h2>
          {settings.otherPolicies.map((o) => (
            <div key={o.id} className="mt-2 rounded-md border border-slate-200 p-3 text-sm">
              <h3 className="font-medium">
                {o.name} (priority {o.priority})
              </h3>
              <ul className="mt-1 list-disc pl-5">
                {o.rules.map((r) => (
                  <li key={r.dataType}>
                    {r.label}: {r.syncEnabled ? `sync on, ${days(r.retentionDays)}` : "sync off"}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ) : null}

      <section aria-labelledby="in-force" className="mt-6">
        <h2 id="in-force" className="text-lg font-semibold text-slate-900">
          Rules in force
        </h2>
        <table className="mt-2 w-full border-collapse text-left text-sm">
          <thead>
            <tr className="border-b border-slate-300">
              <th scope="col" className="py-1 pr-4">
                Data type
              </th>
              <th scope="col" className="py-1 pr-4">
                Sync
              </th>
              <th scope="col" className="py-1 pr-4">
                Retention
              </th>
              <th scope="col" className="py-1 pr-4">
                From policy
              </th>
            </tr>
          </thead>
          <tbody>
            {settings.effective.map((e) => (
              <tr key={e.dataType} className="border-b border-slate-100">
                <th scope="row" className="py-1 pr-4 font-medium">
                  {e.label}
                </th>
                <td className="py-1 pr-4">{e.syncEnabled ? "On" : "Off"}</td>
                <td className="py-1 pr-4">{days(e.retentionDays)}</td>
                <td className="py-1 pr-4">{e.policyName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
