import {
  beginMailboxRun,
  clearSeen,
  commitFolderPage,
  FOLDERS_SCOPE,
  finishMailboxRun,
  getCursor,
  loadFolderStates,
  loadItemStates,
  markMailboxUnavailable,
  type TContentInsert,
  type TFolderVersionInsert,
  type TItemSkip,
  type TItemVersionInsert,
  type TSyncCursor,
} from "@coffer/db/archive/index";
import { commitPimPage, loadParts, type TPartInsert } from "@coffer/db/archive-pim/write";
import type { StoredBlob } from "@coffer/db/blobs/index";
import { checkSyncAllowed } from "@coffer/db/retention/sync-gate";
import type { MailboxRow } from "@coffer/db/schema";
import pLimit from "p-limit";
import { GraphFailure, toGraphFailure } from "../graph/errors";
import { newRequestStats, type TRequestStats } from "../graph/middleware";
import { acquireMailboxLock, type TMailboxLock } from "../sync/mailbox-lock";
import { newSyncStats, type TSyncDeps, type TSyncStats } from "../sync/types";
import {
  isPimGraph,
  PIM_TYPES,
  PimSource,
  type TContainer,
  type TFetchedItem,
  type TItemChange,
  type TItemPage,
  type TPimType,
} from "./pim-source";
import { DATA_TYPE_OF, summarize } from "./summarize";

/**
 * Sync of calendars, contacts, To Do tasks and notes: per mailbox and data type, the containers (listed
 * each run: a handful) and then each container's item delta, round after round. Each changed item is
 * fetched with one canonical GET and archived as the exact bytes Graph returned (plus the file
 * attachments of events and tasks); history rows, checkpoints and reconciliation are the archive engine's (commitItemPage,
 * commitFolderPage), one transaction per delta page. A type whose sync the retention policy turns off is
 * not synced at all.
 */

export type TPimSyncOptions = {
  /** Which data types (default: all four). */
  types?: readonly TPimType[];
  /** Item GETs in flight per mailbox (the shared limiter still caps requests at 4). */
  fetchConcurrency?: number;
  shouldWaitForLock?: boolean;
  lockWaitTimeoutMs?: number;
};

export type TPimSyncHooks = { heldLock?: TMailboxLock };

export type TPimTypeResult = {
  type: TPimType;
  /** synced; skipped (retention policy off, de-provisioned); failed (error says why). */
  status: "synced" | "skipped" | "failed";
  reason?: string;
  stats: TSyncStats;
};

type TCtx = {
  deps: TSyncDeps;
  mailboxId: string;
  type: TPimType;
  source: PimSource;
  observedAt: Date;
  stats: TSyncStats;
  fetchConcurrency: number;
  signal: AbortSignal;
};

/** All (or some) PIM data types of one mailbox, under the mailbox's lock. Never throws for one type's failure. */
export async function syncPim(
  deps: TSyncDeps,
  mailbox: Pick<MailboxRow, "id" | "entra_id" | "upn">,
  options: TPimSyncOptions = {},
  hooks: TPimSyncHooks = {},
): Promise<TPimTypeResult[]> {
  const lock = hooks.heldLock ?? (await lockOf(deps, mailbox.id, options));
  try {
    const out: TPimTypeResult[] = [];
    for (const type of options.types ?? PIM_TYPES) {
      try {
        out.push(await syncType(deps, mailbox, type, options, lock));
      } catch (e) {
        out.push({
          type,
          status: "failed",
          reason: e instanceof Error ? e.message : String(e),
          stats: newSyncStats(),
        });
      }
    }
    return out;
  } finally {
    if (!hooks.heldLock) await lock.release();
  }
}

/**
 * Calendar Replication's entry point (issue 6), shaped like `syncMailbox`: one mailbox's calendars and
 * events now. Throws when the run fails (after recording it); returns zero stats with `skipped` set when
 * the retention policy turns calendar sync off or the mailbox is de-provisioned.
 */
export async function syncCalendar(
  deps: TSyncDeps,
  mailbox: Pick<MailboxRow, "id" | "entra_id" | "upn">,
  options: Omit<TPimSyncOptions, "types"> = {},
  hooks: TPimSyncHooks = {},
): Promise<TSyncStats & { skippedReason?: string }> {
  const lock = hooks.heldLock ?? (await lockOf(deps, mailbox.id, options));
  try {
    const r = await syncType(deps, mailbox, "calendar", options, lock);
    return r.status === "skipped" ? { ...r.stats, skippedReason: r.reason ?? "skipped" } : r.stats;
  } finally {
    if (!hooks.heldLock) await lock.release();
  }
}

function lockOf(deps: TSyncDeps, mailboxId: string, options: TPimSyncOptions): Promise<TMailboxLock> {
  return acquireMailboxLock(deps.redis, deps.redisPrefix, mailboxId, {
    wait: options.shouldWaitForLock ?? false,
    ...(options.lockWaitTimeoutMs !== undefined ? { waitTimeoutMs: options.lockWaitTimeoutMs } : {}),
  });
}

async function syncType(
  deps: TSyncDeps,
  mailbox: Pick<MailboxRow, "id" | "entra_id" | "upn">,
  type: TPimType,
  options: TPimSyncOptions,
  lock: TMailboxLock,
): Promise<TPimTypeResult> {
  const dataType = DATA_TYPE_OF[type];
  const stats = newSyncStats();
  const gate = await checkSyncAllowed(deps.db, mailbox.id, dataType);
  if (!gate.isAllowed) return { type, status: "skipped", reason: gate.message, stats };
  if (!isPimGraph(deps.graph))
    throw new Error("the Graph adapter has no getMailboxRaw (calendar/contacts/tasks/notes sync)");
  const started = performance.now();
  const requestStats = newRequestStats();
  const observedAt = await beginMailboxRun(deps.db, mailbox.id, dataType);
  const ctx: TCtx = {
    deps,
    mailboxId: mailbox.id,
    type,
    source: new PimSource(deps.graph, mailbox.entra_id, { stats: requestStats, signal: lock.signal }),
    observedAt,
    stats,
    fetchConcurrency: options.fetchConcurrency ?? 4,
    signal: lock.signal,
  };
  try {
    const containers = await syncContainers(ctx);
    stats.folders = containers.length;
    for (const c of containers) await syncContainerItems(ctx, c.id);
    fill(stats, requestStats, started);
    await finishMailboxRun(deps.db, mailbox.id, dataType, { status: "success", ...outcome(stats) });
    return { type, status: "synced", stats };
  } catch (e) {
    fill(stats, requestStats, started);
    const error = lock.signal.aborted && lock.signal.reason instanceof Error ? lock.signal.reason : e;
    const message = error instanceof Error ? error.message : String(error);
    await finishMailboxRun(deps.db, mailbox.id, dataType, {
      status: "error",
      error: message,
      ...outcome(stats),
    }).catch(() => {});
    if (e instanceof GraphFailure && e.isNoMailbox)
      await markMailboxUnavailable(deps.db, mailbox.id).catch(() => {});
    throw error;
  }
}

/** Lists the containers and records their history (renames, moves, additions; vanished ones close with their items). */
async function syncContainers(ctx: TCtx): Promise<TContainer[]> {
  const dataType = DATA_TYPE_OF[ctx.type];
  const containers = await ctx.source.listContainers(ctx.type);
  const states = await loadFolderStates(ctx.deps.db, ctx.mailboxId, dataType);
  const closeVersionIds: number[] = [];
  const inserts: TFolderVersionInsert[] = [];
  for (const c of containers) {
    const s = states.get(c.id);
    if (s && s.displayName === c.displayName && s.parentGraphId === c.parentId) continue;
    if (s) closeVersionIds.push(s.versionId);
    inserts.push({
      graphId: c.id,
      parentGraphId: c.parentId,
      displayName: c.displayName,
      isHidden: false,
      wellKnownName: c.wellKnownName,
    });
  }
  const cursor: TSyncCursor = {
    scope: FOLDERS_SCOPE,
    phase: "full",
    nextLink: null,
    deltaLink: null,
    isReconciling: true,
  };
  // A full listing every run: reconciliation closes containers that are gone (and their items, and cursors).
  await clearSeen(ctx.deps.db, ctx.mailboxId, dataType, FOLDERS_SCOPE);
  const r = await commitFolderPage(ctx.deps.db, {
    mailboxId: ctx.mailboxId,
    dataType,
    observedAt: ctx.observedAt,
    closeVersionIds,
    inserts,
    removedFolders: [],
    seen: containers.map((c) => c.id),
    cursor,
    completeReconciliation: true,
  });
  ctx.stats.removed += r.removedItems;
  return containers;
}

function freshCursor(scope: string): TSyncCursor {
  return { scope, phase: "full", nextLink: null, deltaLink: null, isReconciling: true };
}

/** One container's item delta until it is up to date (the same restart rules as mail, sync-messages.ts). */
async function syncContainerItems(ctx: TCtx, containerId: string): Promise<void> {
  const { db } = ctx.deps;
  const dataType = DATA_TYPE_OF[ctx.type];
  let cursor = (await getCursor(db, ctx.mailboxId, dataType, containerId)) ?? freshCursor(containerId);
  let startedFrom: "next" | "delta" | "fresh" = cursor.nextLink
    ? "next"
    : cursor.deltaLink
      ? "delta"
      : "fresh";
  if (startedFrom === "fresh") await clearSeen(db, ctx.mailboxId, dataType, containerId);
  let hasRestarted = false;
  for (;;) {
    ctx.signal.throwIfAborted();
    const link = cursor.nextLink ?? cursor.deltaLink ?? undefined;
    let page: TItemPage;
    try {
      page = await ctx.source.itemDeltaPage(ctx.type, containerId, link);
    } catch (e) {
      if (e instanceof GraphFailure && (e.isNotFound || e.code === "ErrorSyncFolderNotFound")) {
        ctx.deps.log?.(`${ctx.type} ${containerId}: gone since the container listing; left to the next run`);
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
      ctx.deps.log?.(`${ctx.type} ${containerId}: delta state lost (${e.code ?? e.status}), re-enumerating`);
      cursor = freshCursor(containerId);
      startedFrom = "fresh";
      await clearSeen(db, ctx.mailboxId, dataType, containerId);
      continue;
    }
    const isLast = !page.nextLink;
    const next: TSyncCursor = isLast
      ? { ...cursor, nextLink: null, deltaLink: page.deltaLink ?? null, isReconciling: false }
      : { ...cursor, nextLink: page.nextLink ?? null };
    await applyPage(ctx, containerId, page, cursor, next, isLast && cursor.isReconciling);
    cursor = next;
    if (isLast) return;
  }
}

type TUpsert = Extract<TItemChange, { kind: "upsert" }>;
type TArchived = {
  fetched: TFetchedItem;
  blob: StoredBlob;
  parts: TPartInsert[];
  partBlobs: StoredBlob[];
};
type TOutcome = { ok: TArchived } | { skip: TItemSkip; isNotFound: boolean };

async function applyPage(
  ctx: TCtx,
  containerId: string,
  page: TItemPage,
  current: TSyncCursor,
  next: TSyncCursor,
  completeReconciliation: boolean,
): Promise<void> {
  const { db } = ctx.deps;
  const dataType = DATA_TYPE_OF[ctx.type];
  const desired = new Map<string, TItemChange>();
  for (const change of page.items) {
    desired.delete(change.id);
    desired.set(change.id, change);
  }
  const states = await loadItemStates(db, ctx.mailboxId, dataType, [...desired.keys()]);
  const toFetch: TUpsert[] = [];
  for (const change of desired.values()) {
    if (change.kind !== "upsert") continue;
    const s = states.get(change.id);
    // Same etag (change key) as the archived version, in the same container: nothing to fetch.
    if (!(s?.isOpen && change.etag && s.changeKey === change.etag && s.folderGraphId === containerId))
      toFetch.push(change);
  }
  const previousParts = await loadParts(
    db,
    [...states.values()].map((s) => s.versionId),
  );
  const fetched = new Map<string, TOutcome>();
  const limit = pLimit(ctx.fetchConcurrency);
  await Promise.all(
    toFetch.map((c) =>
      limit(async () => {
        const prev = states.get(c.id);
        fetched.set(
          c.id,
          await archiveItem(ctx, containerId, c.id, prev ? (previousParts.get(prev.versionId) ?? []) : []),
        );
      }),
    ),
  );

  const blobs: StoredBlob[] = [];
  const partBlobs: StoredBlob[] = [];
  const contents: TContentInsert[] = [];
  const closeVersionIds: number[] = [];
  const inserts: TItemVersionInsert[] = [];
  const parts = new Map<string, TPartInsert[]>();
  const changeKeyUpdates: Array<{ versionId: number; changeKey: string | null }> = [];
  const seen: string[] = [];
  const skips: TItemSkip[] = [];
  const counts = { added: 0, changed: 0, removed: 0 };

  for (const [id, change] of desired) {
    const state = states.get(id);
    if (change.kind === "removed") {
      if (state?.isOpen && state.folderGraphId === containerId) {
        closeVersionIds.push(state.versionId);
        counts.removed++;
      }
      continue;
    }
    const outcome = fetched.get(id);
    if (outcome && "skip" in outcome) {
      if (!outcome.isNotFound) {
        skips.push(outcome.skip);
        if (state?.isOpen) seen.push(id);
      }
      continue;
    }
    seen.push(id);
    if (!outcome) {
      // Unchanged (same etag): keep the version; a replay in a reconciliation round only marks it seen.
      continue;
    }
    const a = outcome.ok;
    const summary = summarize(ctx.type, a.fetched.json);
    blobs.push(a.blob);
    partBlobs.push(...a.partBlobs);
    contents.push({ ...summary.content, sha256: a.blob.sha256 });
    const version: TItemVersionInsert = {
      graphId: id,
      folderGraphId: containerId,
      sha256: a.blob.sha256,
      changeKey: change.etag,
      size: a.blob.size,
      receivedAt: summary.receivedAt,
      isRead: null,
      categories: summary.categories,
      meta: { ...summary.meta, parts: a.parts.length },
      sortSubject: summary.sortSubject,
      sortSender: summary.sortSender,
    };
    if (state?.isOpen) {
      const prevParts = previousParts.get(state.versionId) ?? [];
      const isSame =
        state.folderGraphId === containerId &&
        state.sha256 === a.blob.sha256 &&
        samePartList(prevParts, a.parts);
      if (isSame) {
        if (state.changeKey !== change.etag)
          changeKeyUpdates.push({ versionId: state.versionId, changeKey: change.etag });
        continue;
      }
      closeVersionIds.push(state.versionId);
      inserts.push(version);
      parts.set(id, a.parts);
      counts.changed++;
    } else {
      inserts.push(version);
      parts.set(id, a.parts);
      if (state && state.validTo?.getTime() === ctx.observedAt.getTime()) {
        // Closed earlier in this run by the container it left: a move, not an addition.
        counts.changed++;
        ctx.stats.removed--;
      } else counts.added++;
    }
  }

  const result = await commitPimPage(db, {
    mailboxId: ctx.mailboxId,
    dataType,
    observedAt: ctx.observedAt,
    blobs,
    contents,
    closeVersionIds,
    inserts,
    changeKeyUpdates,
    seen: current.isReconciling ? seen : [],
    skips,
    cursor: next,
    completeReconciliation,
    partBlobs,
    parts,
  });
  ctx.stats.added += counts.added;
  ctx.stats.changed += counts.changed;
  ctx.stats.removed += counts.removed + result.reconciledRemoved;
  ctx.stats.skipped += skips.length;
  for (const b of [...blobs, ...partBlobs]) ctx.stats.bytes += b.size;
}

function samePartList(a: readonly TPartInsert[], b: readonly TPartInsert[]): boolean {
  const key = (p: TPartInsert) => `${p.partId}\u0000${p.sha256}\u0000${p.name}`;
  const x = a.map(key).sort();
  const y = b.map(key).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

async function archiveItem(
  ctx: TCtx,
  containerId: string,
  id: string,
  previous: readonly TPartInsert[],
): Promise<TOutcome> {
  try {
    const fetched = await ctx.source.fetchItem(ctx.type, containerId, id);
    const blob = await ctx.deps.blobs.putBuffer(fetched.bytes);
    const parts: TPartInsert[] = [];
    const partBlobs: StoredBlob[] = [];
    const type = ctx.type;
    if ((type === "tasks" || type === "calendar") && fetched.json.hasAttachments === true) {
      for (const a of await ctx.source.listAttachments(type, containerId, id)) {
        const lastModifiedAt = a.lastModifiedDateTime ? new Date(a.lastModifiedDateTime) : null;
        const known = previous.find(
          (p) =>
            p.partId === a.id &&
            p.size === a.size &&
            p.lastModifiedAt?.getTime() === lastModifiedAt?.getTime(),
        );
        let sha256 = known?.sha256;
        if (!sha256) {
          const stored = await ctx.deps.blobs.putBuffer(
            await ctx.source.attachmentBytes(type, containerId, id, a.id),
          );
          partBlobs.push(stored);
          sha256 = stored.sha256;
        }
        parts.push({
          partId: a.id,
          name: a.name,
          contentType: a.contentType,
          size: a.size,
          sha256,
          lastModifiedAt,
        });
      }
    }
    return { ok: { fetched, blob, parts, partBlobs } };
  } catch (e) {
    const failure = toGraphFailure(`${ctx.type} item ${id}`, e);
    if (failure.kind !== "skip") throw failure;
    return {
      skip: {
        graphId: id,
        reason: failure.code ?? `http_${failure.status ?? "error"}`,
        detail: failure.message,
      },
      isNotFound: failure.isNotFound,
    };
  }
}

function fill(stats: TSyncStats, r: TRequestStats, started: number): void {
  stats.requests = r.requests;
  stats.throttled = r.throttled;
  stats.retries = r.retries;
  stats.seconds = Math.round(performance.now() - started) / 1000;
}

function outcome(s: TSyncStats) {
  return {
    added: s.added,
    changed: s.changed,
    removed: s.removed,
    skips: s.skipped,
    requests: s.requests,
    throttled: s.throttled,
  };
}
