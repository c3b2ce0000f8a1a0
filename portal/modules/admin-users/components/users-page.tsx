import type { MailboxRow } from "@coffer/db/schema";
import Link from "next/link";
import type { TPrincipal } from "@/lib/auth/identity";
import { MailboxStatusTag } from "@/modules/archive/components/mailbox-status";
import { Pager } from "@/modules/archive/components/message-list";
import { formatCount } from "@/modules/archive/lib/format";
import { type TUsersQuery, USERS_PAGE_SIZE, usersHref } from "../lib/list-users";

const KIND_LABEL: Record<MailboxRow["kind"], string> = {
  user: "User",
  shared: "Shared",
  room: "Room",
  equipment: "Equipment",
  linked: "Linked",
  other: "Other",
};

export function UsersPage({
  principal,
  query,
  rows,
  total,
}: {
  principal: TPrincipal;
  query: TUsersQuery;
  rows: MailboxRow[];
  total: number;
}) {
  const start = (query.page - 1) * USERS_PAGE_SIZE;
  return (
    <div className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">Users</h1>
      <p className="mt-2 text-slate-700">
        Find a mailbox and explore its archive.{" "}
        {principal.grants.contentView
          ? "You can read message content (content view)."
          : "You see folders and message details; reading message content needs the content view permission."}
      </p>
      <search aria-label="Users" className="mt-6 block">
        <form action="/admin/users" method="get" className="flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1">
            <label htmlFor="users-q" className="block text-sm font-medium text-slate-800">
              Name or address
            </label>
            <input
              id="users-q"
              name="q"
              type="search"
              defaultValue={query.search}
              className="mt-1 block w-full rounded-md border border-slate-400 px-2 py-1.5 text-sm"
            />
          </div>
          <div className="flex items-center gap-2 pb-2">
            <input
              id="users-deactivated"
              name="deactivated"
              type="checkbox"
              value="1"
              defaultChecked={query.includeDeactivated}
              className="h-4 w-4"
            />
            <label htmlFor="users-deactivated" className="text-sm font-medium text-slate-800">
              Include deactivated users
            </label>
          </div>
          <button
            type="submit"
            className="rounded-md bg-brand-800 px-4 py-1.5 text-sm font-medium text-white hover:bg-brand-900"
          >
            Search
          </button>
        </form>
      </search>
      {rows.length === 0 ? (
        <p className="mt-6 rounded-md border border-slate-200 bg-slate-50 p-6 text-slate-700">
          No mailbox matches{query.search ? ` “${query.search}”` : ""}
          {query.includeDeactivated
            ? "."
            : " among active users. Tick “Include deactivated users” to search them too."}
        </p>
      ) : (
        <div className="relative mt-6 overflow-x-auto rounded-md border border-slate-200">
          <table className="w-full min-w-[36rem] text-sm">
            <caption className="sr-only">Mailboxes</caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-left">
              <tr>
                <th scope="col" className="px-3 py-2 font-semibold text-slate-700">
                  Name
                </th>
                <th scope="col" className="px-3 py-2 font-semibold text-slate-700">
                  User principal name
                </th>
                <th scope="col" className="px-3 py-2 font-semibold text-slate-700">
                  Type
                </th>
                <th scope="col" className="px-3 py-2 font-semibold text-slate-700">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((m) => (
                <tr key={m.id}>
                  <td className="px-3 py-2 text-slate-900">
                    <span className="flex flex-wrap items-center gap-2">
                      {m.display_name || m.upn} <MailboxStatusTag mailbox={m} />
                    </span>
                  </td>
                  <td className="break-all px-3 py-2 text-slate-700">{m.upn}</td>
                  <td className="px-3 py-2 text-slate-700">{KIND_LABEL[m.kind]}</td>
                  <td className="px-3 py-2 text-right">
                    <Link
                      href={`/archive/${m.id}`}
                      className="rounded-md border border-slate-300 px-3 py-1 font-medium text-brand-800 hover:bg-slate-50"
                      aria-label={`Explore ${m.display_name || m.upn}`}
                    >
                      Explore
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        summary={
          rows.length
            ? `Mailboxes ${formatCount(start + 1)}–${formatCount(start + rows.length)} of ${formatCount(total)}`
            : undefined
        }
        paging={{
          firstHref: query.page > 1 ? usersHref({ ...query, page: 1 }) : undefined,
          nextHref: start + rows.length < total ? usersHref({ ...query, page: query.page + 1 }) : undefined,
        }}
        label="Mailbox pages"
      />
    </div>
  );
}
