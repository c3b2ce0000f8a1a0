import type { TFolderState } from "@coffer/db/archive/index";
import type { TRunSkip } from "@coffer/db/schema";
import { listRecentItemSkips } from "@coffer/db/tasks/task-queries";
import { syncMailbox } from "../../sync/sync-mailbox";
import type { TFolderReplicationSettings, TFolderSelection } from "../task-types";
import type { TFeature } from "./feature";

/**
 * Mailbox Folder Replication drives the archive engine (worker/src/sync/sync-mailbox.ts) with the lock
 * the runner holds and the definition's folder choice. The folder hierarchy is always replicated; the
 * definition decides whose messages are.
 */
export const replicateFolders: TFeature<TFolderReplicationSettings> = async ({
  engine,
  mailbox,
  lock,
  settings,
}) => {
  const since = new Date();
  const stats = await syncMailbox(
    engine.sync,
    mailbox,
    { shouldWaitForLock: false },
    {
      heldLock: lock,
      selectFolders: (states) => selectFolders(states, settings.folders, settings.includeHidden),
    },
  );
  const skips: TRunSkip[] =
    stats.skipped > 0
      ? (await listRecentItemSkips(engine.db, mailbox.id, since, 100)).map((s) => ({
          graphId: s.graph_id,
          reason: s.reason,
          ...(s.detail ? { detail: s.detail } : {}),
        }))
      : [];
  return {
    status: stats.skipped > 0 ? "warning" : "success",
    message:
      `${stats.folders} folders, ${stats.added} added, ${stats.changed} changed, ${stats.removed} removed` +
      (stats.skipped > 0 ? `, ${stats.skipped} items skipped` : "") +
      `, ${stats.requests} requests${stats.throttled ? ` (${stats.throttled} throttled)` : ""}, ${stats.seconds} s`,
    itemsAdded: stats.added,
    itemsChanged: stats.changed,
    itemsRemoved: stats.removed,
    skips,
    requests: stats.requests,
    throttled: stats.throttled,
  };
};

/** Folder paths ("Inbox/Projects") from the replicated hierarchy; a folder whose parent is unknown is a root. */
export function folderPaths(
  states: ReadonlyMap<string, TFolderState>,
): Map<string, { path: string; isHidden: boolean }> {
  const out = new Map<string, { path: string; isHidden: boolean }>();
  const visit = (id: string, depth: number): { path: string; isHidden: boolean } => {
    const known = out.get(id);
    if (known) return known;
    const f = states.get(id)!;
    const parent =
      f.parentGraphId && states.has(f.parentGraphId) && depth < 64 ? visit(f.parentGraphId, depth + 1) : null;
    const entry = {
      path: parent ? `${parent.path}/${f.displayName}` : f.displayName,
      // A folder inside a hidden folder is as hidden as its parent.
      isHidden: f.isHidden || (parent?.isHidden ?? false),
    };
    out.set(id, entry);
    return entry;
  };
  for (const id of states.keys()) visit(id, 0);
  return out;
}

/** Which folders' messages a definition replicates: by path (a listed folder includes its subfolders). */
export function selectFolders(
  states: ReadonlyMap<string, TFolderState>,
  selection: TFolderSelection,
  includeHidden: boolean,
): string[] {
  const paths = folderPaths(states);
  const listed =
    selection.mode === "all" ? [] : selection.paths.map((p) => p.replace(/^\/+|\/+$/g, "").toLowerCase());
  const isListed = (path: string) => {
    const p = path.toLowerCase();
    return listed.some((l) => p === l || p.startsWith(`${l}/`));
  };
  const out: string[] = [];
  for (const [id, f] of paths) {
    if (f.isHidden && !includeHidden) continue;
    if (selection.mode === "include" && !isListed(f.path)) continue;
    if (selection.mode === "exclude" && isListed(f.path)) continue;
    out.push(id);
  }
  return out;
}
