import type { TFolderState } from "@coffer/db/archive/index";
import { checkSyncAllowed } from "@coffer/db/retention/sync-gate";
import { listRecentItemSkips } from "@coffer/db/tasks/task-queries";
import type { TPimType } from "../../pim/pim-source";
import { syncPim } from "../../pim/sync-pim";
import { syncMailbox } from "../../sync/sync-mailbox";
import type { TFolderReplicationSettings, TFolderSelection } from "../task-types";
import type { TFeature, TMailboxOutcome } from "./feature";

/**
 * Mailbox Folder Replication drives the archive engine (worker/src/sync/sync-mailbox.ts) with the lock
 * the runner holds and the definition's folder choice (the folder hierarchy is always replicated; the
 * definition decides whose messages are), then the PIM sync (worker/src/pim) for the definition's other
 * data types. A data type turned off in the retention policy is skipped and said so.
 */
export const replicateFolders: TFeature<TFolderReplicationSettings> = async ({
  engine,
  mailbox,
  lock,
  settings,
}) => {
  const out: TMailboxOutcome = {
    status: "success",
    message: null,
    itemsAdded: 0,
    itemsChanged: 0,
    itemsRemoved: 0,
    skips: [],
    requests: 0,
    throttled: 0,
  };
  const parts: string[] = [];
  const add = (s: {
    added: number;
    changed: number;
    removed: number;
    requests: number;
    throttled: number;
  }) => {
    out.itemsAdded += s.added;
    out.itemsChanged += s.changed;
    out.itemsRemoved += s.removed;
    out.requests += s.requests;
    out.throttled += s.throttled;
  };
  let skippedTypes = 0;

  if (settings.dataTypes.includes("mail")) {
    const gate = await checkSyncAllowed(engine.db, mailbox.id, "mail");
    if (!gate.isAllowed) {
      skippedTypes++;
      parts.push(`mail skipped: ${gate.message}`);
    } else {
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
      add(stats);
      if (stats.skipped > 0) {
        out.status = "warning";
        out.skips = (await listRecentItemSkips(engine.db, mailbox.id, since, 100)).map((s) => ({
          graphId: s.graph_id,
          reason: s.reason,
          ...(s.detail ? { detail: s.detail } : {}),
        }));
      }
      parts.push(
        `mail: ${stats.folders} folders, ${stats.added} added, ${stats.changed} changed, ${stats.removed} removed` +
          (stats.skipped > 0 ? `, ${stats.skipped} items skipped` : ""),
      );
    }
  }

  // Calendar, contacts, tasks and notes through the PIM sync, under the same lock; it never throws for one
  // type: a failed type makes the mailbox a warning, a type turned off in retention is only mentioned.
  const pimTypes = settings.dataTypes.filter((t): t is TPimType => t !== "mail");
  if (pimTypes.length) {
    for (const r of await syncPim(engine.sync, mailbox, { types: pimTypes }, { heldLock: lock })) {
      add(r.stats);
      if (r.status === "synced") {
        parts.push(
          `${r.type}: ${r.stats.added} added, ${r.stats.changed} changed, ${r.stats.removed} removed`,
        );
      } else if (r.status === "skipped") {
        skippedTypes++;
        parts.push(`${r.type} skipped: ${r.reason ?? "turned off"}`);
      } else {
        out.status = "warning";
        parts.push(`${r.type} failed: ${r.reason ?? "unknown error"}`);
      }
    }
  }
  if (skippedTypes === settings.dataTypes.length) out.status = "skipped";
  out.message = `${parts.join("; ")}; ${out.requests} requests${out.throttled ? ` (${out.throttled} throttled)` : ""}`;
  return out;
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
