import type { TArchiveItemSummary, TItemSort, TSortDirection } from "@coffer/db/archive/read-items";
import Link from "next/link";
import type { ReactNode } from "react";
import { formatCount, formatShortDateTime, formatSize } from "../lib/format";
import { PAGE_SIZE } from "../lib/snapshot-query";
import { ItemStatusBadge, PaperclipIcon } from "./status-badge";

const DEFAULT_DIR: Record<TItemSort, TSortDirection> = {
  date: "desc",
  sender: "asc",
  subject: "asc",
  size: "desc",
};
const SORT_WORDS: Record<TItemSort, Record<TSortDirection, string>> = {
  date: { desc: "newest first", asc: "oldest first" },
  sender: { asc: "sender A to Z", desc: "sender Z to A" },
  subject: { asc: "subject A to Z", desc: "subject Z to A" },
  size: { desc: "largest first", asc: "smallest first" },
};

export type TListPaging = {
  page: number;
  firstHref: string | undefined;
  nextHref: string | undefined;
  total: number | undefined;
};

/** One page of a folder: a table sortable by its column headers, paged with First / Next links. */
export function MessageList({
  items,
  folderName,
  sort,
  dir,
  sortHref,
  itemHref,
  paging,
  isFullView,
}: {
  items: TArchiveItemSummary[];
  folderName: string;
  sort: TItemSort;
  dir: TSortDirection | undefined;
  sortHref: (sort: TItemSort, dir: TSortDirection) => string;
  itemHref: (item: TArchiveItemSummary) => string;
  paging: TListPaging;
  isFullView: boolean;
}) {
  const current = dir ?? DEFAULT_DIR[sort];
  const header = (key: TItemSort, label: string, className = "") => {
    const isActive = key === sort;
    const next: TSortDirection = isActive ? (current === "asc" ? "desc" : "asc") : DEFAULT_DIR[key];
    return (
      <th
        scope="col"
        aria-sort={isActive ? (current === "asc" ? "ascending" : "descending") : undefined}
        className={`px-3 py-2 text-left font-semibold text-slate-700 ${className}`}
      >
        <Link
          href={sortHref(key, next)}
          className="inline-flex items-center gap-1 rounded hover:text-slate-900 hover:underline"
        >
          {label}
          {isActive ? <span aria-hidden="true">{current === "asc" ? "▲" : "▼"}</span> : null}
          <span className="sr-only">, sort {SORT_WORDS[key][next]}</span>
        </Link>
      </th>
    );
  };
  const start = (paging.page - 1) * PAGE_SIZE + 1;
  return (
    <div>
      {items.length === 0 ? (
        <p className="rounded-md border border-slate-200 bg-slate-50 p-6 text-slate-700">
          {paging.page > 1 ? "There are no more messages." : `${folderName} has no messages at this time.`}
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full min-w-[40rem] border-collapse text-sm">
            <caption className="sr-only">
              Messages in {folderName}, sorted by {SORT_WORDS[sort][current]}
              {isFullView ? ", including deleted and moved messages" : ""}
            </caption>
            <thead className="border-b border-slate-200 bg-slate-50">
              <tr>
                {header("date", "Received", "w-40")}
                {header("sender", "From", "w-56")}
                {header("subject", "Subject")}
                {header("size", "Size", "w-24 text-right")}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((m) => (
                <tr key={m.versionId} className={m.status === "current" ? "" : "bg-slate-50"}>
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums text-slate-700">
                    {formatShortDateTime(m.receivedAt)}
                  </td>
                  <td
                    className="max-w-56 truncate px-3 py-2 text-slate-800"
                    title={m.fromAddress ?? undefined}
                  >
                    {m.fromName || m.fromAddress || "—"}
                  </td>
                  <td className="px-3 py-2">
                    <span className="flex items-center gap-2">
                      <Link
                        href={itemHref(m)}
                        className={`truncate text-brand-800 hover:underline ${m.isRead === false ? "font-semibold" : ""}`}
                      >
                        {m.subject || "(no subject)"}
                      </Link>
                      {m.hasAttachments ? <PaperclipIcon label="Has attachments" /> : null}
                      <ItemStatusBadge status={m.status} />
                    </span>
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums text-slate-700">
                    {formatSize(m.size)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        summary={
          items.length
            ? `Messages ${formatCount(start)}–${formatCount(start + items.length - 1)}${
                paging.total !== undefined ? ` of ${formatCount(paging.total)}` : ""
              }`
            : undefined
        }
        paging={paging}
        label="Message list pages"
      />
    </div>
  );
}

export function Pager({
  summary,
  paging,
  label,
}: {
  summary: ReactNode;
  paging: Pick<TListPaging, "firstHref" | "nextHref">;
  label: string;
}) {
  const link =
    "rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50";
  return (
    <div className="mt-3 flex flex-wrap items-center justify-between gap-3">
      <p className="text-sm text-slate-700" aria-live="polite">
        {summary}
      </p>
      {paging.firstHref || paging.nextHref ? (
        <nav aria-label={label} className="flex gap-2">
          {paging.firstHref ? (
            <Link href={paging.firstHref} className={link}>
              First page
            </Link>
          ) : null}
          {paging.nextHref ? (
            <Link href={paging.nextHref} className={link} rel="next">
              Next page
            </Link>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}
