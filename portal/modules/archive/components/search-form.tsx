import Link from "next/link";
import type { TSearchQuery } from "../lib/snapshot-query";

const INPUT =
  "mt-1 block w-full rounded-md border border-slate-400 bg-white px-2 py-1.5 text-sm text-slate-900 placeholder:text-slate-500";
const LABEL = "block text-sm font-medium text-slate-800";

/**
 * The search box and its field filters (seed 000: "search for specific emails/attachments within a folder,
 * filtering by metadata"). A plain GET form: the result is a URL, so it works without JavaScript, can be
 * bookmarked, and the back button returns to it. Different fields combine with AND.
 */
export function SearchForm({
  action,
  hidden,
  search,
  folderName,
  clearHref,
  canReadContent,
}: {
  action: string;
  /** Kept as they are: the point in time, Full View, the data type and the folder. */
  hidden: Record<string, string>;
  search: TSearchQuery | undefined;
  folderName: string | undefined;
  clearHref: string;
  canReadContent: boolean;
}) {
  const s = search;
  const hasFilters = !!(
    s &&
    (s.from || s.to || s.subject || s.body || s.attachment || s.after || s.before || s.hasAttachments)
  );
  return (
    <search
      aria-label="Search this mailbox"
      className="block rounded-md border border-slate-200 bg-slate-50 p-3"
    >
      <form action={action} method="get" className="space-y-3">
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <div className="flex flex-wrap items-end gap-2">
          <div className="min-w-48 flex-1">
            <label htmlFor="search-q" className={LABEL}>
              {canReadContent ? "Search messages" : "Search subjects"}
            </label>
            <input
              id="search-q"
              name="q"
              type="search"
              defaultValue={s?.text ?? ""}
              className={INPUT}
              placeholder={canReadContent ? 'Words, "a phrase", -exclude' : "Words in the subject"}
            />
          </div>
          <fieldset className="flex items-center gap-3 text-sm text-slate-800">
            <legend className="sr-only">Where to search</legend>
            <label className="flex items-center gap-1">
              <input
                type="radio"
                name="scope"
                value="folder"
                defaultChecked={(s?.scope ?? "folder") === "folder"}
                disabled={!folderName}
              />
              {folderName ? `In ${folderName}` : "In this folder"}
            </label>
            <label className="flex items-center gap-1">
              <input
                type="radio"
                name="scope"
                value="mailbox"
                defaultChecked={s?.scope === "mailbox" || !folderName}
              />
              Whole mailbox
            </label>
          </fieldset>
          <button
            type="submit"
            className="rounded-md bg-brand-800 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-900"
          >
            Search
          </button>
          {s ? (
            <Link href={clearHref} className="px-2 py-1.5 text-sm font-medium text-brand-800 underline">
              Clear search
            </Link>
          ) : null}
        </div>
        <details open={hasFilters} className="group">
          <summary className="cursor-pointer text-sm font-medium text-brand-800">Filters</summary>
          <div className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            <Field id="search-from" name="from" label="From" value={s?.from} hint="Name or address" />
            <Field id="search-to" name="to" label="To, Cc or Bcc" value={s?.to} hint="Name or address" />
            <Field id="search-subject" name="subject" label="Subject" value={s?.subject} />
            {canReadContent ? (
              <Field id="search-body" name="body" label="Body" value={s?.body} />
            ) : (
              <p className="text-sm text-slate-700">Body search needs the content view permission.</p>
            )}
            <Field id="search-attachment" name="attachment" label="Attachment name" value={s?.attachment} />
            <div className="flex items-center gap-2 pt-6">
              <input
                id="search-has"
                name="has"
                type="checkbox"
                value="1"
                defaultChecked={s?.hasAttachments ?? false}
                className="h-4 w-4"
              />
              <label htmlFor="search-has" className="text-sm font-medium text-slate-800">
                Has attachments
              </label>
            </div>
            <Field id="search-after" name="after" label="Received from (UTC)" value={s?.after} type="date" />
            <Field id="search-before" name="before" label="Received to (UTC)" value={s?.before} type="date" />
          </div>
        </details>
      </form>
    </search>
  );
}

function Field({
  id,
  name,
  label,
  value,
  hint,
  type = "text",
}: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  hint?: string;
  type?: "text" | "date";
}) {
  return (
    <div>
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={value ?? ""}
        placeholder={hint}
        className={INPUT}
      />
    </div>
  );
}
