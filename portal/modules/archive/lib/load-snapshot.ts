import "server-only";
import { getArchivedDataTypes } from "@coffer/db/archive/data-presence";
import {
  getFolderTree,
  listFolderItems,
  listMailboxSyncStates,
  searchArchive,
  type TArchiveFolder,
  type TArchiveSearch,
  type TItemPage,
  type TMailboxSyncState,
  type TSearchResult,
} from "@coffer/db/archive/index";
import { getEffectiveRules } from "@coffer/db/retention/retention-policies";
import { DATA_TYPES, type DataType } from "@coffer/db/schema";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { PAGE_SIZE, parseDay, type TSearchQuery, type TSnapshotQuery } from "./snapshot-query";

/**
 * What each data type section of the snapshot view says (seed 000): sync turned off in the retention
 * policy; sync on but nothing archived for this mailbox at this time; or there is data.
 */
export type TDataTypeState = { dataType: DataType; state: "off" | "empty" | "present"; policyName: string };

export type TSnapshot = {
  dataTypes: TDataTypeState[];
  folders: TArchiveFolder[];
  folder: TArchiveFolder | undefined;
  listing: TItemPage | undefined;
  search: TSearchResult | undefined;
  /** Set when the search could not run as asked (a metadata-only reader's body search). */
  searchNote: string | undefined;
  mailSync: TMailboxSyncState | undefined;
};

/** Everything the snapshot view shows, for one mailbox the caller has already been authorized for. */
export async function loadSnapshot(access: TMailboxAccess, q: TSnapshotQuery): Promise<TSnapshot> {
  const mailboxId = access.mailbox.id;
  const [rules, present, syncStates] = await Promise.all([
    getEffectiveRules(db()),
    getArchivedDataTypes(db(), mailboxId, q.at),
    listMailboxSyncStates(db(), "mail", [mailboxId]),
  ]);
  const dataTypes = DATA_TYPES.map((dataType): TDataTypeState => {
    const rule = rules.find((r) => r.data_type === dataType);
    const isOn = rule?.sync_enabled ?? true;
    return {
      dataType,
      state: !isOn ? "off" : present[dataType] ? "present" : "empty",
      policyName: rule?.policy_name ?? "Default",
    };
  });
  const section = dataTypes.find((d) => d.dataType === q.type);
  const base = {
    dataTypes,
    mailSync: syncStates[0],
    searchNote: undefined,
    listing: undefined,
    search: undefined,
  };
  // Turning a type off removes its archived data (seed 000), so an "off" section shows nothing else.
  if (!section || section.state === "off") return { ...base, folders: [], folder: undefined };

  const folders = await getFolderTree(db(), mailboxId, {
    at: q.at,
    fullView: q.fullView,
    withCounts: true,
    dataType: q.type,
  });
  const folder = pickFolder(folders, q.folder);
  if (q.folder && !folder) {
    throw new AppError("not_found", "This folder is not in the mailbox at the chosen time.");
  }

  if (q.search) {
    const { params, note } = searchParams(q.search, access.canReadContent);
    const search = await searchArchive(db(), {
      mailboxId,
      dataType: q.type,
      ...params,
      ...(q.search.scope === "folder" && folder ? { folderGraphIds: [folder.graphId] } : {}),
      // Full View searches every version ever archived; otherwise the mailbox as it was at the time.
      ...(q.fullView ? {} : { at: q.at ?? new Date() }),
      limit: PAGE_SIZE,
      cursor: q.cursor ?? null,
    }).catch(rethrowCursor);
    return { ...base, folders, folder, search, searchNote: note };
  }
  if (!folder) return { ...base, folders, folder: undefined };
  const listing = await listFolderItems(db(), {
    mailboxId,
    folderGraphId: folder.graphId,
    at: q.at,
    fullView: q.fullView,
    sort: q.sort,
    ...(q.dir ? { direction: q.dir } : {}),
    limit: PAGE_SIZE,
    cursor: q.cursor ?? null,
    dataType: q.type,
  }).catch(rethrowCursor);
  return { ...base, folders, folder, listing };
}

/** The chosen folder, else the Inbox (or the first folder) when nothing is chosen. */
function pickFolder(folders: TArchiveFolder[], graphId: string | undefined): TArchiveFolder | undefined {
  if (graphId) return folders.find((f) => f.graphId === graphId);
  return (
    folders.find((f) => f.depth === 0 && !f.isDeleted && f.displayName.toLowerCase() === "inbox") ??
    folders.find((f) => !f.isDeleted && !f.isHidden)
  );
}

/**
 * The search as the archive module takes it. Readers without content access (an administrator without
 * content view) search metadata only: the free text goes to the subject, and body words are ignored,
 * because a body search would reveal content through which messages match.
 */
function searchParams(
  s: TSearchQuery,
  canReadContent: boolean,
): { params: Omit<TArchiveSearch, "mailboxId">; note: string | undefined } {
  const list = (v: string) => (v ? [v] : []);
  const after = parseDay(s.after);
  const before = parseDay(s.before);
  const params: Omit<TArchiveSearch, "mailboxId"> = {
    from: list(s.from),
    to: list(s.to),
    subject: canReadContent ? list(s.subject) : list([s.subject, s.text].filter(Boolean).join(" ")),
    attachment: list(s.attachment),
    ...(canReadContent && s.text ? { text: s.text } : {}),
    ...(canReadContent ? { body: list(s.body) } : {}),
    ...(after ? { after } : {}),
    // "to" a day includes that whole day
    ...(before ? { before: new Date(before.getTime() + 24 * 60 * 60 * 1000) } : {}),
    ...(s.hasAttachments ? { hasAttachments: true } : {}),
  };
  const note =
    !canReadContent && (s.text || s.body)
      ? "Without the content view permission, search looks at subjects, senders, recipients and attachment names only, never message bodies."
      : undefined;
  return { params, note };
}

function rethrowCursor(error: unknown): never {
  if (error instanceof Error && error.message === "invalid page cursor") {
    throw new AppError("not_found", "This page of the list does not exist. Start again from the first page.");
  }
  throw error;
}
