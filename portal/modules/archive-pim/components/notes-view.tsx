import type { TNoteView } from "@coffer/db/archive-pim/index";
import sanitizeHtml from "sanitize-html";

/** Notes at T. Their HTML is archived as Graph returned it; only plain formatting is kept here. */
const ALLOWED = {
  allowedTags: ["p", "br", "div", "span", "b", "strong", "i", "em", "u", "ul", "ol", "li"],
  allowedAttributes: {},
};

export function NotesView({ notes }: { notes: TNoteView[] }) {
  return (
    <ul aria-label="Notes" className="grid gap-4 sm:grid-cols-2">
      {notes.map((n) => (
        <li key={n.graphId} className="rounded-md border border-amber-200 bg-amber-50 p-4">
          <h2 className="font-semibold text-slate-900">{n.subject || "(no subject)"}</h2>
          {n.lastModified ? <p className="text-xs text-slate-700">Last changed {n.lastModified}</p> : null}
          <div
            className="mt-2 text-sm text-slate-900"
            // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised to plain formatting tags just above
            dangerouslySetInnerHTML={{ __html: sanitizeHtml(n.bodyHtml, ALLOWED) }}
          />
        </li>
      ))}
    </ul>
  );
}
