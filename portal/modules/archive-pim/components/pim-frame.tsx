import type { DataType } from "@coffer/db/schema";
import Link from "next/link";
import type { ReactNode } from "react";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { DataTypeEmptyState, DataTypeNav } from "@/modules/archive/components/data-type-nav";
import { DATA_TYPE_LABELS, formatDateTimeSeconds } from "@/modules/archive/lib/format";
import type { TDataTypeState } from "@/modules/archive/lib/load-snapshot";
import { formatAtInput, snapshotHref } from "@/modules/archive/lib/snapshot-query";
import { pimHref, type TPimSection } from "../lib/pim-query";
import { GRAPH_LIMITS } from "./graph-limits";

/**
 * The frame of the calendar, contacts, tasks and notes sections: the mailbox, the snapshot time picker
 * (the same `at` as the mail view, so switching sections keeps the point in time), the data type tabs,
 * the seed's empty states, and what Microsoft Graph does not provide for the type.
 */
export function PimFrame({
  access,
  section,
  states,
  at,
  now,
  extraParams = {},
  children,
}: {
  access: TMailboxAccess;
  section: TPimSection;
  states: TDataTypeState[];
  at: Date | undefined;
  now: Date;
  extraParams?: Record<string, string>;
  children: ReactNode;
}) {
  const mailbox = access.mailbox;
  const label = DATA_TYPE_LABELS[section];
  const state = states.find((s) => s.dataType === section);
  const atLabel = at ? `at ${formatDateTimeSeconds(at)}` : "now";
  const hrefFor = (type: DataType) =>
    type === "mail" ? snapshotHref(mailbox.id, { at }) : pimHref(mailbox.id, type, { at });
  return (
    <div className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/archive" className="underline hover:text-slate-900">
          Archive
        </Link>{" "}
        <span aria-hidden="true">›</span>{" "}
        <Link href={snapshotHref(mailbox.id, { at })} className="underline hover:text-slate-900">
          {mailbox.display_name || mailbox.upn}
        </Link>{" "}
        <span aria-hidden="true">›</span> {label}
      </nav>
      <h1 className="mt-2 text-2xl font-bold tracking-tight text-slate-900">
        {label} of {mailbox.display_name || mailbox.upn}
      </h1>
      <p className="text-sm text-slate-600">{mailbox.upn}</p>

      <form
        action={`/archive/${encodeURIComponent(mailbox.id)}/${section}`}
        method="get"
        aria-label="Snapshot"
        className="mt-6 flex flex-wrap items-end gap-4 rounded-md border border-slate-200 p-4"
      >
        {Object.entries(extraParams).map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <div>
          <label htmlFor="pim-at" className="block text-sm font-medium text-slate-800">
            Snapshot date and time (UTC)
          </label>
          <input
            id="pim-at"
            name="at"
            type="datetime-local"
            step={1}
            max={formatAtInput(now)}
            defaultValue={formatAtInput(at)}
            className="mt-1 rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm text-slate-900"
          />
        </div>
        <button
          type="submit"
          className="rounded-md bg-brand-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-800"
        >
          Load snapshot
        </button>
        <p className="text-sm text-slate-700" role="status">
          {at ? (
            <>
              Showing {label.toLowerCase()} as they were at <strong>{formatDateTimeSeconds(at)}</strong>.
            </>
          ) : (
            <>Showing {label.toLowerCase()} now (as last synced).</>
          )}
        </p>
      </form>

      <div className="mt-6">
        <DataTypeNav states={states} current={section} hrefFor={hrefFor} />
      </div>
      <div className="mt-6">
        {state && state.state !== "present" ? (
          <DataTypeEmptyState state={state} atLabel={atLabel} />
        ) : access.canReadContent ? (
          children
        ) : (
          <p
            className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900"
            role="status"
          >
            This mailbox has {label.toLowerCase()} archived {atLabel}. Showing them needs the content view
            permission.
          </p>
        )}
      </div>
      <aside aria-labelledby="graph-limits" className="mt-8 rounded-md border border-slate-200 p-4 text-sm">
        <h2 id="graph-limits" className="font-semibold text-slate-900">
          What Microsoft Graph does not provide for {label.toLowerCase()}
        </h2>
        <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
          {GRAPH_LIMITS[section].map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
