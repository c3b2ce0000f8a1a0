import type { DataType } from "@coffer/db/schema";
import Link from "next/link";
import { DATA_TYPE_LABELS } from "../lib/format";
import type { TDataTypeState } from "../lib/load-snapshot";

/** The snapshot view's sections, one per data type (seed 000: "each data type … a separate section"). */
export function DataTypeNav({
  states,
  current,
  hrefFor,
}: {
  states: TDataTypeState[];
  current: DataType;
  hrefFor: (type: DataType) => string;
}) {
  return (
    <nav aria-label="Data types" className="border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-1">
        {states.map((s) => {
          const isCurrent = s.dataType === current;
          return (
            <li key={s.dataType}>
              <Link
                href={hrefFor(s.dataType)}
                aria-current={isCurrent ? "page" : undefined}
                className={`inline-flex items-center gap-1.5 border-b-2 px-3 py-2 text-sm font-medium ${
                  isCurrent
                    ? "border-brand-700 text-brand-900"
                    : "border-transparent text-slate-700 hover:border-slate-300 hover:text-slate-900"
                }`}
              >
                {DATA_TYPE_LABELS[s.dataType]}
                {s.state === "off" ? (
                  <span className="rounded bg-slate-100 px-1 text-xs text-slate-700">sync off</span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** What a section without content says, in the seed's two cases. */
export function DataTypeEmptyState({ state, atLabel }: { state: TDataTypeState; atLabel: string }) {
  const label = DATA_TYPE_LABELS[state.dataType];
  const lower = label.toLowerCase();
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-6 text-slate-700" role="status">
      {state.state === "off" ? (
        <>
          <h2 className="text-lg font-semibold text-slate-900">Sync is turned off for {label}</h2>
          <p className="mt-2">
            The retention policy &ldquo;{state.policyName}&rdquo; does not sync {lower}, so Coffer keeps no{" "}
            {lower} for any mailbox. Turning sync off for a data type also removes what was archived for it.
          </p>
        </>
      ) : (
        <>
          <h2 className="text-lg font-semibold text-slate-900">
            No {lower} in this mailbox {atLabel}
          </h2>
          <p className="mt-2">
            Sync is turned on for {lower}, but this mailbox has no {lower} archived {atLabel}.
          </p>
        </>
      )}
    </div>
  );
}
