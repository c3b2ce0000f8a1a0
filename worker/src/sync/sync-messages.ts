import {
  clearSeen,
  commitItemPage,
  folderHasOpenItems,
  getCursor,
  loadItemStates,
  type TContentInsert,
  type TItemSkip,
  type TItemVersionInsert,
  type TSyncCursor,
} from "@coffer/db/archive/index";
import type { StoredBlob } from "@coffer/db/blobs/index";
import pLimit from "p-limit";
import { GraphFailure, toGraphFailure } from "../graph/errors";
import type { TDeltaPage, TMessageChange } from "../graph/port";
import { archiveMessageContent, type TArchivedContent } from "./archive-content";
import type { TRunContext } from "./types";

const DAY_MS = 86_400_000;

type TUpsert = Extract<TMessageChange, { kind: "upsert" }>;
type TFetchOutcome = { ok: TArchivedContent } | { skip: TItemSkip; isNotFound: boolean };

/**
 * Replicates one folder's messages through its message delta, round after round, until the folder is
 * up to date (or, with `isRecentOnly`, until its recent round is done).
 *
 * Checkpointing: each page is committed with the link that fetches the next one, so a crash resumes at
 * the first page not committed. A stale link (410 SyncStateNotFound and friends) restarts the round: from
 * the stored delta link when the round was incremental, else — once per run — from nothing, as a
 * reconciliation round. A folder that vanished since the hierarchy round is left to the next one.
 */
export async function syncFolderMessages(ctx: TRunContext, folderGraphId: string): Promise<void> {
  const { db } = ctx.deps;
  const stored = await getCursor(db, ctx.mailboxId, "mail", folderGraphId);
  const wantsRecent = ctx.isFirstSync && ctx.opts.recentDays > 0;
  let cursor: TSyncCursor = stored ?? freshCursor(folderGraphId, wantsRecent ? "recent" : "full");
  if (ctx.opts.isRecentOnly && cursor.phase !== "recent") return;
  let hasRestarted = false;
  let startedFrom: "next" | "delta" | "fresh" = cursor.nextLink
    ? "next"
    : cursor.deltaLink
      ? "delta"
      : "fresh";
  if (startedFrom === "fresh") cursor = await beginRound(ctx, folderGraphId, cursor);

  for (;;) {
    ctx.signal.throwIfAborted();
    const link = cursor.nextLink ?? cursor.deltaLink ?? undefined;
    let page: TDeltaPage<TMessageChange>;
    try {
      page = await ctx.source.messageDeltaPage(
        folderGraphId,
        link,
        !link && cursor.phase === "recent"
          ? { receivedSince: new Date(ctx.observedAt.getTime() - ctx.opts.recentDays * DAY_MS) }
          : undefined,
      );
    } catch (e) {
      if (e instanceof GraphFailure && (e.isNotFound || e.code === "ErrorSyncFolderNotFound")) {
        ctx.deps.log?.(`folder ${folderGraphId}: gone since the hierarchy round; left to the next run`);
        return;
      }
      if (!(e instanceof GraphFailure && e.isStaleDelta)) throw e;
      if (startedFrom === "next" && cursor.deltaLink && link !== cursor.deltaLink) {
        cursor = { ...cursor, nextLink: null };
        startedFrom = "delta";
        continue;
      }
      if (hasRestarted) throw e;
      hasRestarted = true;
      ctx.deps.log?.(`folder ${folderGraphId}: delta state lost (${e.code ?? e.status}), re-enumerating`);
      cursor = await beginRound(ctx, folderGraphId, freshCursor(folderGraphId, cursor.phase));
      startedFrom = "fresh";
      continue;
    }

    const isLast = !page.nextLink;
    let next: TSyncCursor;
    if (!isLast) next = { ...cursor, nextLink: page.nextLink ?? null };
    else if (cursor.phase === "recent") {
      // The recent round is done: the next round is a full enumeration, which also reconciles whatever
      // changed in between.
      next = freshCursor(folderGraphId, "full");
    } else {
      next = { ...cursor, nextLink: null, deltaLink: page.deltaLink ?? null, isReconciling: false };
    }
    await applyPageWithRetry(ctx, folderGraphId, page, cursor, next, isLast && cursor.isReconciling);
    const wasRecent = cursor.phase === "recent";
    cursor = next;
    if (isLast) {
      if (wasRecent && !ctx.opts.isRecentOnly) {
        startedFrom = "fresh";
        cursor = await beginRound(ctx, folderGraphId, cursor);
        continue;
      }
      return;
    }
  }
}

/**
 * Starts an enumeration from nothing. Reconciling closes, at the end of a full round, the folder's archived
 * items the round did not see. A folder with nothing archived at the start has nothing to close at the end:
 * everything archived during the round came from the round's own pages (one run per mailbox, and a folder's
 * items are written only by its own delta), so what it sees is not recorded. That is every folder's first
 * sync, where recording and the final anti-join were a fifth of the database's work.
 */
async function beginRound(
  ctx: TRunContext,
  folderGraphId: string,
  cursor: TSyncCursor,
): Promise<TSyncCursor> {
  await clearSeen(ctx.deps.db, ctx.mailboxId, "mail", folderGraphId);
  if (!cursor.isReconciling) return cursor;
  const hasItems = await folderHasOpenItems(ctx.deps.db, ctx.mailboxId, "mail", folderGraphId);
  return hasItems ? cursor : { ...cursor, isReconciling: false };
}

function freshCursor(scope: string, phase: "recent" | "full"): TSyncCursor {
  // Only full rounds reconcile: a recent round sees only the last days, so "not seen" means nothing.
  return { scope, phase, nextLink: null, deltaLink: null, isReconciling: phase === "full" };
}

/**
 * A page commit can lose a race with the retention purge: the purge deletes a blob row nothing referenced
 * at the moment this page reuses that content (foreign-key violation 23503). Nothing is lost (the purge
 * keeps objects touched recently); the page is applied again with every message's content stored afresh,
 * which records the blob rows again.
 */
async function applyPageWithRetry(
  ctx: TRunContext,
  folderGraphId: string,
  page: TDeltaPage<TMessageChange>,
  current: TSyncCursor,
  next: TSyncCursor,
  completeReconciliation: boolean,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await applyMessagePage(ctx, folderGraphId, page, current, next, completeReconciliation, attempt > 1);
      return;
    } catch (e) {
      const isForeignKeyRace = (e as { code?: unknown }).code === "23503";
      if (!isForeignKeyRace || attempt >= 3) throw e;
      ctx.deps.log?.(`folder ${folderGraphId}: a page lost a race with the purge; applying it again`);
    }
  }
}

async function applyMessagePage(
  ctx: TRunContext,
  folderGraphId: string,
  page: TDeltaPage<TMessageChange>,
  current: TSyncCursor,
  next: TSyncCursor,
  completeReconciliation: boolean,
  isRefetchingContent = false,
): Promise<void> {
  const { db } = ctx.deps;
  // Replays: an item may occur several times in a page; its last entry is its state.
  const desired = new Map<string, TMessageChange>();
  for (const change of page.items) {
    desired.delete(change.id);
    desired.set(change.id, change);
  }
  const states = await loadItemStates(db, ctx.mailboxId, "mail", [...desired.keys()]);

  // Content is known when the item's current or latest version has the same change key (unchanged, or
  // moved back and forth): no download. Otherwise the MIME is fetched (new item, or changed).
  const toFetch: TUpsert[] = [];
  for (const change of desired.values()) {
    if (change.kind !== "upsert") continue;
    const state = states.get(change.id);
    const isKnown = state && change.changeKey && state.changeKey === change.changeKey;
    if (!isKnown || isRefetchingContent) toFetch.push(change);
  }
  const fetched = new Map<string, TFetchOutcome>();
  const limit = pLimit(ctx.opts.fetchConcurrency);
  await Promise.all(
    toFetch.map((change) =>
      limit(async () => {
        fetched.set(change.id, await fetchContent(ctx, change.id));
      }),
    ),
  );

  const blobsToRecord: StoredBlob[] = [];
  const contents: TContentInsert[] = [];
  const closeVersionIds: number[] = [];
  const inserts: TItemVersionInsert[] = [];
  const changeKeyUpdates: Array<{ versionId: number; changeKey: string | null }> = [];
  const seen: string[] = [];
  const skips: TItemSkip[] = [];
  const counts = { added: 0, changed: 0, removed: 0 };

  for (const [id, change] of desired) {
    const state = states.get(id);
    if (change.kind === "removed") {
      // "Gone from this folder": deleted, or moved out (then the target folder's delta adds it).
      if (state?.isOpen && state.folderGraphId === folderGraphId) {
        closeVersionIds.push(state.versionId);
        counts.removed++;
      }
      continue;
    }
    const outcome = fetched.get(id);
    let content: {
      sha256: string;
      size: number;
      sortSubject: string;
      sortSender: string;
      sentAt: Date | null;
    };
    if (outcome && "skip" in outcome) {
      if (!outcome.isNotFound) skips.push(outcome.skip);
      // Not archived this time: the current version (if any) stays as it is. An item that vanished (404)
      // is not "seen", so a reconciliation closes it.
      if (!outcome.isNotFound && state?.isOpen) seen.push(id);
      continue;
    }
    if (outcome) {
      const a = outcome.ok;
      blobsToRecord.push(a.blob);
      contents.push(a.content);
      content = {
        sha256: a.blob.sha256,
        size: a.blob.size,
        sortSubject: a.sortSubject,
        sortSender: a.sortSender,
        sentAt: a.sentAt,
      };
    } else {
      const s = state!;
      content = {
        sha256: s.sha256,
        size: s.size,
        sortSubject: s.sortSubject,
        sortSender: s.sortSender,
        sentAt: null,
      };
    }
    seen.push(id);
    const receivedAt =
      parseDate(change.receivedDateTime) ?? state?.receivedAt ?? content.sentAt ?? ctx.observedAt;
    const version: TItemVersionInsert = {
      graphId: id,
      folderGraphId,
      sha256: content.sha256,
      changeKey: change.changeKey,
      size: content.size,
      receivedAt,
      isRead: change.isRead,
      categories: change.categories,
      meta: { internetMessageId: change.internetMessageId, isDraft: change.isDraft },
      sortSubject: content.sortSubject,
      sortSender: content.sortSender,
    };
    if (state?.isOpen) {
      const isSame =
        state.folderGraphId === folderGraphId &&
        state.sha256 === content.sha256 &&
        state.isRead === change.isRead &&
        sameList(state.categories, change.categories);
      if (isSame) {
        if (state.changeKey !== change.changeKey)
          changeKeyUpdates.push({ versionId: state.versionId, changeKey: change.changeKey });
        continue;
      }
      closeVersionIds.push(state.versionId);
      inserts.push(version);
      counts.changed++;
    } else {
      inserts.push(version);
      // Closed earlier in this same run by the folder it left: a move, not an addition.
      if (state && state.validTo?.getTime() === ctx.observedAt.getTime()) {
        counts.changed++;
        ctx.stats.removed--;
      } else {
        counts.added++;
      }
    }
  }

  const result = await commitItemPage(db, {
    mailboxId: ctx.mailboxId,
    dataType: "mail",
    observedAt: ctx.observedAt,
    blobs: blobsToRecord,
    contents,
    closeVersionIds,
    inserts,
    changeKeyUpdates,
    seen: current.isReconciling ? seen : [],
    skips,
    cursor: next,
    completeReconciliation,
  });
  ctx.stats.added += counts.added;
  ctx.stats.changed += counts.changed;
  ctx.stats.removed += counts.removed + result.reconciledRemoved;
  ctx.stats.skipped += skips.length;
  for (const b of blobsToRecord) ctx.stats.bytes += b.size;
}

async function fetchContent(ctx: TRunContext, messageId: string): Promise<TFetchOutcome> {
  try {
    return { ok: await archiveMessageContent(ctx.source, messageId, ctx.deps.blobs, ctx.signal) };
  } catch (e) {
    const failure = toGraphFailure(`message ${messageId}`, e);
    // Transient failures (after retries) and permanent ones fail the page: its checkpoint is not written,
    // so nothing is skipped silently and the next run retries. Only skip-kind failures are recorded.
    if (failure.kind !== "skip") throw failure;
    return {
      skip: {
        graphId: messageId,
        reason: failure.code ?? `http_${failure.status ?? "error"}`,
        detail: failure.message,
      },
      isNotFound: failure.isNotFound,
    };
  }
}

function parseDate(s: string | null): Date | null {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
