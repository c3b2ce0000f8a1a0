/**
 * The archive: point-in-time reads (folder tree, folder listings, Full View, items, search) for the portal
 * and the CLI, and the writes of the sync engine. Original bytes come from the blob store
 * (`@coffer/db/blobs`: `createBlobStore().getStream(sha256)`).
 */
export { archiveIntegrity, type TArchiveIntegrity } from "./integrity";
export {
  getFolderTree,
  resolveFolders,
  type TArchiveFolder,
  type TFolderTreeOptions,
} from "./read-folders";
export {
  countFolderItems,
  getArchivedItem,
  iterateMailboxItems,
  listFolderItems,
  type TArchivedItemRef,
  type TArchiveItemDetail,
  type TArchiveItemSummary,
  type TItemPage,
  type TItemSort,
  type TListFolderItemsParams,
  type TSortDirection,
} from "./read-items";
export {
  parseMarked,
  searchArchive,
  type TArchiveSearch,
  type THighlightedText,
  type TSearchHit,
  type TSearchResult,
} from "./search";
export {
  beginMailboxRun,
  clearSeen,
  deleteScope,
  FOLDERS_SCOPE,
  finishMailboxRun,
  folderHasOpenItems,
  getCursor,
  listCursors,
  listMailboxSyncStates,
  markMailboxUnavailable,
  saveCursor,
  type TMailboxRunOutcome,
  type TMailboxSyncState,
  type TSyncCursor,
} from "./sync-state";
export {
  commitFolderPage,
  loadFolderStates,
  type TFolderPageCommit,
  type TFolderPageResult,
  type TFolderState,
  type TFolderVersionInsert,
} from "./write-folders";
export {
  commitItemPage,
  loadItemStates,
  type TContentInsert,
  type TItemPageCommit,
  type TItemPageResult,
  type TItemSkip,
  type TItemState,
  type TItemVersionInsert,
} from "./write-items";
