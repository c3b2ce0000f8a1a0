import type { DataType } from "@coffer/db/schema";
import Link from "next/link";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { pimHref } from "@/modules/archive-pim/lib/pim-query";
import { DATA_TYPE_LABELS, formatDateTime, formatDateTimeSeconds } from "../lib/format";
import type { TSnapshot } from "../lib/load-snapshot";
import { formatAtInput, messageHref, snapshotHref, type TSnapshotQuery } from "../lib/snapshot-query";
import { DataTypeEmptyState, DataTypeNav } from "./data-type-nav";
import { FolderTree } from "./folder-tree";
import { MailboxStatusTag } from "./mailbox-status";
import { MessageList } from "./message-list";
import { SearchForm } from "./search-form";
import { SearchResults } from "./search-results";
import { SnapshotForm } from "./snapshot-form";

const VIA_LABEL = {
  owner: "Your mailbox",
  delegate: "Delegate access",
  admin: "Administrator view",
} as const;

/** The mailbox snapshot view: time and Full View, data type sections, folders, list or search results. */
export function SnapshotPage({
  access,
  query: q,
  snapshot,
  now,
}: {
  access: TMailboxAccess;
  query: TSnapshotQuery;
  snapshot: TSnapshot;
  now: Date;
}) {
  const { mailbox } = access;
  const base = { at: q.at, fullView: q.fullView, type: q.type };
  const folderLink = (graphId: string) => snapshotHref(mailbox.id, { ...base, folder: graphId });
  const section = snapshot.dataTypes.find((d) => d.dataType === q.type)!;
  const atLabel = q.at ? `at ${formatDateTime(q.at)}` : "now";
  const folderPath = (id: string) =>
    snapshot.folders.find((f) => f.graphId === id)?.path ?? "an earlier folder";
  const listState = { ...base, folder: snapshot.folder?.graphId, sort: q.sort, dir: q.dir };

  return (
    <div className="mx-auto max-w-7xl px-4 py-8 sm:px-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/archive" className="underline hover:text-slate-900">
          Archive
        </Link>{" "}
        <span aria-hidden="true">›</span> {mailbox.display_name || mailbox.upn}
      </nav>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">
          {mailbox.display_name || mailbox.upn}
        </h1>
        <span className="rounded bg-brand-50 px-1.5 py-0.5 text-xs font-semibold text-brand-800">
          {VIA_LABEL[access.via]}
        </span>
        <MailboxStatusTag mailbox={mailbox} />
      </div>
      <p className="text-sm text-slate-600">{mailbox.upn}</p>
      {access.via === "admin" && !access.canReadContent ? (
        <p className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
          You see this mailbox&apos;s folders and message details. Message bodies, original headers,
          attachments and EML files need the content view permission.
        </p>
      ) : null}

      <div className="mt-6 rounded-md border border-slate-200 p-4">
        <SnapshotForm
          action={`/archive/${mailbox.id}`}
          atValue={formatAtInput(q.at)}
          maxValue={formatAtInput(now)}
          fullView={q.fullView}
          type={q.type}
        />
        <p className="text-sm text-slate-700" role="status">
          {q.at ? (
            <>
              Showing the mailbox as it was at <strong>{formatDateTimeSeconds(q.at)}</strong>.
            </>
          ) : (
            <>
              Showing the mailbox now
              {snapshot.mailSync?.lastSuccessAt
                ? ` (last synced ${formatDateTime(snapshot.mailSync.lastSuccessAt)})`
                : " (not synced yet)"}
              .
            </>
          )}{" "}
          {q.fullView ? "Full View: deleted and moved messages are listed where they were, marked." : null}
        </p>
      </div>

      <div className="mt-6">
        <DataTypeNav
          states={snapshot.dataTypes}
          current={q.type}
          hrefFor={(type: DataType) =>
            // Calendar, contacts, tasks and notes have their own views (modules/archive-pim).
            type === "mail"
              ? snapshotHref(mailbox.id, { ...base, type })
              : pimHref(mailbox.id, type, { at: q.at })
          }
        />
      </div>

      {section.state !== "present" ? (
        <div className="mt-6">
          <DataTypeEmptyState state={section} atLabel={atLabel} />
        </div>
      ) : (
        <div className="mt-6 grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[16rem_minmax(0,1fr)]">
          <aside
            aria-label={`${DATA_TYPE_LABELS[q.type]} folders`}
            className="lg:border-r lg:border-slate-200 lg:pr-4"
          >
            <h2 className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-600">Folders</h2>
            <FolderTree folders={snapshot.folders} selected={snapshot.folder?.graphId} hrefFor={folderLink} />
          </aside>
          <section aria-labelledby="listing-title" className="min-w-0 space-y-4">
            <h2 id="listing-title" className="text-xl font-semibold text-slate-900">
              {snapshot.folder ? snapshot.folder.path : DATA_TYPE_LABELS[q.type]}
              {snapshot.folder?.isDeleted ? (
                <span className="ml-2 rounded bg-red-100 px-1.5 py-0.5 align-middle text-xs font-semibold text-red-800">
                  Deleted folder
                </span>
              ) : null}
            </h2>
            {q.type === "mail" ? (
              <SearchForm
                action={`/archive/${mailbox.id}`}
                hidden={{
                  ...(q.at ? { at: formatAtInput(q.at) } : {}),
                  ...(q.fullView ? { full: "1" } : {}),
                  ...(snapshot.folder ? { folder: snapshot.folder.graphId } : {}),
                }}
                search={q.search}
                folderName={snapshot.folder?.displayName}
                clearHref={snapshotHref(mailbox.id, { ...base, folder: snapshot.folder?.graphId })}
                canReadContent={access.canReadContent}
              />
            ) : null}
            {snapshot.search && q.search ? (
              <SearchResults
                hits={snapshot.search.hits}
                where={
                  q.search.scope === "folder" && snapshot.folder ? snapshot.folder.path : "the whole mailbox"
                }
                folderPath={folderPath}
                itemHref={(h) =>
                  messageHref(mailbox.id, h.item.graphId, { ...base, folder: h.item.folderGraphId })
                }
                paging={{
                  page: q.page,
                  total: undefined,
                  firstHref: q.cursor
                    ? snapshotHref(mailbox.id, { ...listState, search: q.search })
                    : undefined,
                  nextHref: snapshot.search.nextCursor
                    ? snapshotHref(mailbox.id, {
                        ...listState,
                        search: q.search,
                        cursor: snapshot.search.nextCursor,
                        page: q.page + 1,
                      })
                    : undefined,
                }}
                showSnippets={access.canReadContent}
                note={snapshot.searchNote}
              />
            ) : snapshot.listing && snapshot.folder ? (
              <MessageList
                items={snapshot.listing.items}
                folderName={snapshot.folder.displayName}
                sort={q.sort}
                dir={q.dir}
                sortHref={(sort, dir) => snapshotHref(mailbox.id, { ...listState, sort, dir })}
                itemHref={(m) =>
                  messageHref(mailbox.id, m.graphId, { ...base, folder: snapshot.folder?.graphId })
                }
                isFullView={q.fullView}
                paging={{
                  page: q.page,
                  total: snapshot.folder.itemCount,
                  firstHref: q.cursor ? snapshotHref(mailbox.id, listState) : undefined,
                  nextHref: snapshot.listing.nextCursor
                    ? snapshotHref(mailbox.id, {
                        ...listState,
                        cursor: snapshot.listing.nextCursor,
                        page: q.page + 1,
                      })
                    : undefined,
                }}
              />
            ) : (
              <p className="text-slate-700">Choose a folder.</p>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
