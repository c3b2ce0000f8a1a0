import Link from "next/link";
import type { TPrincipal } from "@/lib/auth/identity";
import { formatDateTime } from "../lib/format";
import type { TMyMailbox } from "../lib/list-my-mailboxes";
import { MailboxStatusTag } from "./mailbox-status";

export function MailboxPickerPage({
  principal,
  mailboxes,
}: {
  principal: TPrincipal;
  mailboxes: TMyMailbox[];
}) {
  return (
    <div className="mx-auto max-w-4xl px-4 py-10 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">Archive</h1>
      <p className="mt-2 text-slate-700">Choose a mailbox to browse its archive at any point in time.</p>
      {principal.isAdmin ? (
        <p className="mt-4 rounded-md border border-brand-100 bg-brand-50 p-3 text-sm text-brand-900">
          As an administrator you can open any mailbox from the{" "}
          <Link href="/admin/users" className="font-medium underline">
            Users
          </Link>{" "}
          page.
        </p>
      ) : null}
      {mailboxes.length === 0 ? (
        <div className="mt-8 rounded-md border border-slate-200 bg-slate-50 p-6 text-slate-700">
          <h2 className="text-lg font-semibold text-slate-900">No mailbox to show yet</h2>
          <p className="mt-2">
            Coffer has not archived a mailbox for {principal.upn}, and nobody has made you a delegate of
            theirs. A new mailbox appears here after its first sync.
          </p>
        </div>
      ) : (
        <ul
          className="mt-8 divide-y divide-slate-200 rounded-md border border-slate-200"
          aria-label="Mailboxes"
        >
          {mailboxes.map((m) => (
            <li key={m.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                  <span>{m.display_name || m.upn}</span>
                  <span className="rounded bg-brand-50 px-1.5 py-0.5 text-xs font-semibold text-brand-800">
                    {m.is_owner ? "Your mailbox" : "Delegate access"}
                  </span>
                  <MailboxStatusTag mailbox={m} />
                </p>
                <p className="truncate text-sm text-slate-600">{m.upn}</p>
                <p className="text-sm text-slate-600">
                  {m.sync?.lastSuccessAt
                    ? `Last synced ${formatDateTime(m.sync.lastSuccessAt)}`
                    : "Not synced yet"}
                </p>
              </div>
              <Link
                href={`/archive/${m.id}`}
                className="rounded-md bg-brand-800 px-4 py-2 text-sm font-medium text-white hover:bg-brand-900"
                aria-label={`Open the archive of ${m.display_name || m.upn}`}
              >
                Open
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
