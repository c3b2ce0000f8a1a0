import {
  clearSeen,
  commitFolderPage,
  FOLDERS_SCOPE,
  getCursor,
  loadFolderStates,
  type TFolderVersionInsert,
  type TSyncCursor,
} from "@coffer/db/archive/index";
import { GraphFailure } from "../graph/errors";
import type { TDeltaPage, TFolderChange } from "../graph/port";
import type { TRunContext } from "./types";

/**
 * Replicates the folder hierarchy through Graph's hierarchy delta: new folders open a version, renames,
 * moves (new parent) and visibility changes close the current version and open a new one, deletions close
 * it together with the folder's current items and forget the folder's message cursor.
 *
 * A round that starts without a delta link (first sync, or the stored link went stale) is a reconciliation
 * round: at its end, folders it did not report are treated as deleted.
 */
export async function syncFolderHierarchy(ctx: TRunContext): Promise<void> {
  const { db } = ctx.deps;
  const stored = await getCursor(db, ctx.mailboxId, "mail", FOLDERS_SCOPE);
  let cursor: TSyncCursor = stored ?? freshCursor();
  let hasRestarted = false;
  let startedFrom: "next" | "delta" | "fresh" = cursor.nextLink
    ? "next"
    : cursor.deltaLink
      ? "delta"
      : "fresh";
  if (startedFrom === "fresh") await clearSeen(db, ctx.mailboxId, "mail", FOLDERS_SCOPE);

  for (;;) {
    ctx.signal.throwIfAborted();
    const link = cursor.nextLink ?? cursor.deltaLink ?? undefined;
    let page: TDeltaPage<TFolderChange>;
    try {
      page = await ctx.source.folderDeltaPage(link);
    } catch (e) {
      if (!(e instanceof GraphFailure && e.isStaleDelta)) throw e;
      // A superseded skip token inside an incremental round: replay the round from its delta link first
      // (cheap); otherwise, and only once per run, start over with a reconciliation round.
      if (startedFrom === "next" && cursor.deltaLink && link !== cursor.deltaLink) {
        cursor = { ...cursor, nextLink: null };
        startedFrom = "delta";
        continue;
      }
      if (hasRestarted) throw e;
      hasRestarted = true;
      ctx.deps.log?.(`folder hierarchy: delta state lost (${e.code ?? e.status}), re-enumerating`);
      cursor = freshCursor();
      startedFrom = "fresh";
      await clearSeen(db, ctx.mailboxId, "mail", FOLDERS_SCOPE);
      continue;
    }

    const isLast = !page.nextLink;
    const next: TSyncCursor = isLast
      ? {
          scope: FOLDERS_SCOPE,
          phase: "full",
          nextLink: null,
          deltaLink: page.deltaLink ?? null,
          isReconciling: false,
        }
      : { ...cursor, nextLink: page.nextLink ?? null };
    await applyFolderPage(ctx, page, cursor, next, isLast && cursor.isReconciling);
    cursor = next;
    if (isLast) return;
  }
}

function freshCursor(): TSyncCursor {
  return { scope: FOLDERS_SCOPE, phase: "full", nextLink: null, deltaLink: null, isReconciling: true };
}

async function applyFolderPage(
  ctx: TRunContext,
  page: TDeltaPage<TFolderChange>,
  current: TSyncCursor,
  next: TSyncCursor,
  completeReconciliation: boolean,
): Promise<void> {
  const states = await loadFolderStates(ctx.deps.db, ctx.mailboxId, "mail");
  // Replays: the same folder can occur more than once in a page; its last entry is its state.
  const desired = new Map<string, TFolderChange>();
  for (const change of page.items) {
    desired.delete(change.id);
    desired.set(change.id, change);
  }
  const closeVersionIds: number[] = [];
  const inserts: TFolderVersionInsert[] = [];
  const removedFolders: Array<{ graphId: string; versionId: number }> = [];
  const seen: string[] = [];
  for (const [id, change] of desired) {
    const state = states.get(id);
    if (change.kind === "removed") {
      if (state) removedFolders.push({ graphId: id, versionId: state.versionId });
      continue;
    }
    seen.push(id);
    if (
      state &&
      state.parentGraphId === change.parentFolderId &&
      state.displayName === change.displayName &&
      state.isHidden === change.isHidden
    ) {
      continue;
    }
    if (state) closeVersionIds.push(state.versionId);
    inserts.push({
      graphId: id,
      parentGraphId: change.parentFolderId,
      displayName: change.displayName,
      isHidden: change.isHidden,
    });
  }
  const result = await commitFolderPage(ctx.deps.db, {
    mailboxId: ctx.mailboxId,
    dataType: "mail",
    observedAt: ctx.observedAt,
    closeVersionIds,
    inserts,
    removedFolders,
    seen: current.isReconciling ? seen : [],
    cursor: next,
    completeReconciliation,
  });
  ctx.stats.removed += result.removedItems;
}
