import Link from "next/link";
import type { TMailboxAccess } from "@/lib/authz/policy";
import type { TMessageView } from "../lib/load-message";
import { messageHref, type TMessageQuery } from "../lib/snapshot-query";

const BUTTON =
  "inline-flex items-center rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50";

/** "View Original Email Headers" (seed 000): the header section as archived, e.g. authentication results. */
export function HeadersPage({
  access,
  view,
  headers,
  query,
}: {
  access: TMailboxAccess;
  view: TMessageView;
  headers: { text: string; isTruncated: boolean };
  query: TMessageQuery;
}) {
  const { item } = view;
  const state = { at: query.at, fullView: query.fullView, folder: query.folder };
  return (
    <div className="mx-auto max-w-5xl px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/archive" className="underline hover:text-slate-900">
          Archive
        </Link>{" "}
        <span aria-hidden="true">›</span>{" "}
        <Link href={`/archive/${access.mailbox.id}`} className="underline hover:text-slate-900">
          {access.mailbox.display_name || access.mailbox.upn}
        </Link>{" "}
        <span aria-hidden="true">›</span>{" "}
        <Link
          href={messageHref(access.mailbox.id, item.graphId, state)}
          className="underline hover:text-slate-900"
        >
          {item.subject || "(no subject)"}
        </Link>
      </nav>
      <h1 className="mt-2 text-2xl font-bold tracking-tight text-slate-900">Original headers</h1>
      <p className="mt-1 break-words text-slate-700">{item.subject || "(no subject)"}</p>
      <div className="mt-4 flex flex-wrap gap-2">
        <Link href={messageHref(access.mailbox.id, item.graphId, state)} className={BUTTON}>
          Back to the message
        </Link>
        <a href={messageHref(access.mailbox.id, item.graphId, state, "/eml")} className={BUTTON} download>
          Download EML
        </a>
      </div>
      {headers.isTruncated ? (
        <p className="mt-4 text-sm text-amber-900">
          The header section is very long; only its beginning is shown.
        </p>
      ) : null}
      <section
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        aria-label="Header section"
        className="mt-4 max-h-[70vh] overflow-auto rounded-md border border-slate-300 bg-slate-50 p-4"
      >
        <pre className="whitespace-pre font-mono text-xs leading-relaxed text-slate-900">{headers.text}</pre>
      </section>
    </div>
  );
}
