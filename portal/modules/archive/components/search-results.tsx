import type { TSearchHit } from "@coffer/db/archive/search";
import Link from "next/link";
import { formatShortDateTime, formatSize } from "../lib/format";
import { Highlighted } from "./highlighted";
import { Pager, type TListPaging } from "./message-list";
import { ItemStatusBadge, PaperclipIcon } from "./status-badge";

/** Search hits, newest first, with the matched words marked in the subject and a body snippet. */
export function SearchResults({
  hits,
  where,
  folderPath,
  itemHref,
  paging,
  showSnippets,
  note,
}: {
  hits: TSearchHit[];
  where: string;
  folderPath: (graphId: string) => string;
  itemHref: (hit: TSearchHit) => string;
  paging: TListPaging;
  showSnippets: boolean;
  note: string | undefined;
}) {
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title" className="text-lg font-semibold text-slate-900">
        Search results <span className="font-normal text-slate-700">in {where}</span>
      </h2>
      {note ? (
        <p className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          {note}
        </p>
      ) : null}
      {hits.length === 0 ? (
        <p className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-6 text-slate-700">
          {paging.page > 1 ? "There are no more results." : "No message matches this search."}
        </p>
      ) : (
        <ol className="mt-3 divide-y divide-slate-200 rounded-md border border-slate-200">
          {hits.map((h) => (
            <li key={h.item.versionId} className="p-3">
              <p className="flex flex-wrap items-center gap-2">
                <Link href={itemHref(h)} className="font-medium text-brand-800 hover:underline">
                  {h.subject.text ? <Highlighted value={h.subject} /> : "(no subject)"}
                </Link>
                {h.item.hasAttachments ? <PaperclipIcon label="Has attachments" /> : null}
                <ItemStatusBadge status={h.item.status} />
              </p>
              <p className="mt-1 text-sm text-slate-700">
                {h.item.fromName || h.item.fromAddress || "Unknown sender"} ·{" "}
                {formatShortDateTime(h.item.receivedAt)} UTC · {formatSize(h.item.size)} ·{" "}
                {folderPath(h.item.folderGraphId)}
              </p>
              {showSnippets && h.snippet.text ? (
                <p className="mt-1 line-clamp-2 text-sm text-slate-700">
                  <Highlighted value={h.snippet} />
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <Pager
        summary={
          hits.length
            ? `Results ${(paging.page - 1) * 50 + 1}–${(paging.page - 1) * 50 + hits.length}`
            : undefined
        }
        paging={paging}
        label="Search result pages"
      />
    </section>
  );
}
