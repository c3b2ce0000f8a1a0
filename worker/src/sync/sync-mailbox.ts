import {
  beginMailboxRun,
  FOLDERS_SCOPE,
  finishMailboxRun,
  getCursor,
  listCursors,
  loadFolderStates,
  markMailboxUnavailable,
  type TFolderState,
} from "@coffer/db/archive/index";
import { findMailboxByUpn, upsertMailbox } from "@coffer/db/mailboxes/mailboxes";
import { checkSyncAllowed } from "@coffer/db/retention/sync-gate";
import type { MailboxRow } from "@coffer/db/schema";
import pLimit from "p-limit";
import { GraphFailure } from "../graph/errors";
import { newRequestStats } from "../graph/middleware";
import type { TDirectoryUser } from "../graph/port";
import { acquireMailboxLock, type TMailboxLock } from "./mailbox-lock";
import { syncFolderHierarchy } from "./sync-folders";
import { syncFolderMessages } from "./sync-messages";
import {
  newSyncStats,
  type TRunContext,
  type TSyncDeps,
  type TSyncOptions,
  type TSyncResult,
  type TSyncStats,
} from "./types";

export const DEFAULT_SYNC_OPTIONS = {
  recentDays: 14,
  isRecentOnly: false,
  fetchConcurrency: 8,
  folderConcurrency: 2,
  shouldWaitForLock: false,
} satisfies Required<Omit<TSyncOptions, "lockWaitTimeoutMs">>;

/**
 * What a caller that orchestrates many features (the Exchange Task runner) adds to a sync:
 * - `heldLock`: the mailbox lock it already holds (it takes the same lock for every task type, waiting
 *   for another task that holds it); the sync uses it and leaves releasing it to the caller.
 * - `selectFolders`: which folders' messages to replicate, from the replicated hierarchy (a definition's
 *   folder choice and hidden-folder setting). The hierarchy itself is always replicated.
 */
export type TSyncHooks = {
  heldLock?: TMailboxLock;
  selectFolders?: (folders: ReadonlyMap<string, TFolderState>) => string[];
};

/** The mailbox of a UPN: from the archive, or else looked up in the directory and recorded. */
export async function resolveMailbox(deps: TSyncDeps, upn: string): Promise<MailboxRow> {
  const known = await findMailboxByUpn(deps.db, upn);
  if (known) return known;
  const user = await deps.graph.getUser(upn, { stats: newRequestStats() });
  if (!user) throw new Error(`no user ${upn} in the directory`);
  return recordDirectoryUser(deps, user);
}

export function recordDirectoryUser(
  deps: TSyncDeps,
  user: TDirectoryUser,
  hasMailbox = true,
): Promise<MailboxRow> {
  return upsertMailbox(deps.db, {
    entraId: user.id,
    upn: user.userPrincipalName,
    displayName: user.displayName,
    mail: user.mail,
    kind: "user",
    accountEnabled: user.accountEnabled,
    licensed: user.isLicensed,
    hasMailbox,
  });
}

/**
 * One run of Mailbox Folder Replication for mail: the folder hierarchy, then every folder's messages.
 * Holds the mailbox's lock for the whole run; stamps every change with one observation time.
 * Throws on transient or permanent failure after recording it (mailbox_sync_state); what was committed
 * stays committed, and the next run resumes from the checkpoints.
 */
export async function syncMailbox(
  deps: TSyncDeps,
  mailbox: Pick<MailboxRow, "id" | "entra_id" | "upn">,
  options: TSyncOptions = {},
  hooks: TSyncHooks = {},
): Promise<TSyncResult> {
  const opts = { ...DEFAULT_SYNC_OPTIONS, ...stripUndefined(options) };
  const started = performance.now();
  // Retention policy and de-provisioning decide whether mail of this mailbox is synced at all; checked
  // before the run starts so a refused run leaves no trace in mailbox_sync_state.
  const gate = await checkSyncAllowed(deps.db, mailbox.id, "mail");
  if (!gate.isAllowed) return { ...newSyncStats(), skippedReason: gate.message };
  const lock =
    hooks.heldLock ??
    (await acquireMailboxLock(deps.redis, deps.redisPrefix, mailbox.id, {
      wait: opts.shouldWaitForLock,
      ...(options.lockWaitTimeoutMs !== undefined ? { waitTimeoutMs: options.lockWaitTimeoutMs } : {}),
    }));
  const stats = newSyncStats();
  const requestStats = newRequestStats();
  try {
    const observedAt = await beginMailboxRun(deps.db, mailbox.id, "mail");
    const hierarchy = await getCursor(deps.db, mailbox.id, "mail", FOLDERS_SCOPE);
    const ctx: TRunContext = {
      deps,
      opts,
      mailboxId: mailbox.id,
      source: deps.graph.mailbox(mailbox.entra_id, { stats: requestStats, signal: lock.signal }),
      observedAt,
      isFirstSync: !hierarchy?.deltaLink,
      stats,
      requestStats,
      signal: lock.signal,
    };
    try {
      await syncFolderHierarchy(ctx);
      const states = await loadFolderStates(deps.db, mailbox.id, "mail");
      const folders = hooks.selectFolders ? hooks.selectFolders(states) : [...states.keys()];
      stats.folders = folders.length;
      const limit = pLimit(opts.folderConcurrency);
      // The recent pass first for every folder that still has one, then everything else: the newest mail
      // of the whole mailbox is protected before its backfill starts.
      const cursors = new Map((await listCursors(deps.db, mailbox.id, "mail")).map((c) => [c.scope, c]));
      const recentFirst = folders.filter((f) => {
        const c = cursors.get(f);
        return c ? c.phase === "recent" : ctx.isFirstSync && opts.recentDays > 0;
      });
      if (recentFirst.length && !opts.isRecentOnly) {
        const recentCtx = { ...ctx, opts: { ...opts, isRecentOnly: true } };
        await Promise.all(recentFirst.map((f) => limit(() => syncFolderMessages(recentCtx, f))));
      }
      await Promise.all(folders.map((f) => limit(() => syncFolderMessages(ctx, f))));
      fillRequestStats(stats, requestStats, started);
      await finishMailboxRun(deps.db, mailbox.id, "mail", { status: "success", ...outcomeOf(stats) });
      return stats;
    } catch (e) {
      fillRequestStats(stats, requestStats, started);
      const error = lock.signal.aborted && lock.signal.reason instanceof Error ? lock.signal.reason : e;
      await finishMailboxRun(deps.db, mailbox.id, "mail", {
        status: "error",
        error: error instanceof Error ? error.message : String(error),
        ...outcomeOf(stats),
      }).catch(() => {});
      if (e instanceof GraphFailure && e.isNoMailbox) {
        await markMailboxUnavailable(deps.db, mailbox.id).catch(() => {});
      }
      throw error;
    }
  } finally {
    if (!hooks.heldLock) await lock.release();
  }
}

function fillRequestStats(stats: TSyncStats, r: ReturnType<typeof newRequestStats>, started: number): void {
  stats.requests = r.requests;
  stats.throttled = r.throttled;
  stats.retries = r.retries;
  stats.seconds = Math.round(performance.now() - started) / 1000;
}

function outcomeOf(s: TSyncStats) {
  return {
    added: s.added,
    changed: s.changed,
    removed: s.removed,
    skips: s.skipped,
    requests: s.requests,
    throttled: s.throttled,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
