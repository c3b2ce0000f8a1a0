import { sql } from "kysely";
import { appendAudit } from "../audit/audit-log";
import type { BlobBackend } from "../blobs/backend";
import { FsBlobBackend } from "../blobs/fs-backend";
import type { Db } from "../client";
import { countExpired, type TExpiryRule, toExpiryRules } from "../retention/expiry";
import { getEffectiveRules } from "../retention/retention-policies";
import type { DataType, PurgeRunRow } from "../schema";
import { countUnreferencedBlobRows, purgeCandidateBatch, queueUnreferencedBlobRows } from "./blobs";
import { mailboxesWithExpired, purgeMailboxBatch } from "./history";
import { type ObjectReaper, reaperFor, type TReaperHooks } from "./object-reaper";
import { processPendingObjects, sweepOrphanObjects, type TObjectCounts, zeroObjectCounts } from "./objects";
import { collectPacks, type TPackCounts, zeroPackCounts } from "./packs";
import { findBlobReferences, findVersionPartRefs, isReferencedSql } from "./references";

/**
 * The retention purge (`coffer purge`, the daily job, a policy change): deletes what the retention rules
 * in force no longer keep, then the content nothing refers to any more. Never anything of a mailbox under
 * legal hold.
 *
 * Phases, each in bounded batches (no transaction holds more than `batchSize` rows), each resumable:
 * 1. history — expired item and folder versions per mailbox and data type (history.ts); the content they
 *    pointed at is queued as candidates in the same transactions. For a data type that is turned off:
 *    everything of it, then its sync cursors (a later "on again" starts a full sync).
 * 2. blobs — candidates nothing refers to lose their `contents` and `blobs` rows; their objects are queued
 *    (blobs.ts).
 * 3. objects — queued objects are removed from storage once unused for the grace period (objects.ts,
 *    object-reaper.ts: race-safe against a sync reusing the content).
 * 4. sweep (optional, on by default) — blob rows and stored objects that nothing refers to although no
 *    purge queued them (rolled-back sync pages, crashes mid-write), and stale staging files.
 * 5. packs — pack files with no live object are deleted, sparse ones compacted, each only once nothing
 *    wrote to it or lost a reference in it for the grace period (packs.ts).
 *
 * Idempotent and resumable: every batch commits its own progress (deleted rows, queued candidates and
 * objects), so a run killed at any point leaves a consistent archive, and the next run simply carries on;
 * it marks the killed run's record `interrupted`. One run at a time (a PostgreSQL advisory lock, released
 * by the server if the process dies). A dry run reads only: it reports what an applied run would delete
 * now, and writes nothing (no run record either).
 */

export type TPurgeOptions = {
  dryRun: boolean;
  now?: Date;
  /** Objects written or reused more recently than this are never removed (default one hour). */
  graceMs?: number;
  /** Rows per transaction (default 500). */
  batchSize?: number;
  /** Also look for unreferenced rows and objects no purge queued (default true). */
  sweep?: boolean;
  trigger?: "schedule" | "manual" | "policy_change";
  requestedBy?: string;
  /** How long to wait for a running purge to finish before giving up with PurgeBusyError (default 10 s). */
  lockWaitMs?: number;
  log?: (line: string) => void;
  /** Compact a pack whose live objects fill less than this share of it (default 0.5). */
  packThreshold?: number;
  /** Called after each committed step (tests interrupt runs here). */
  onStep?: (step: TPurgeStep) => Promise<void> | void;
  reaperHooks?: TReaperHooks;
};

export type TPurgeStep =
  | { phase: "history"; dataType: DataType; mailboxId: string; versions: number; folders: number }
  | { phase: "blobs"; rows: number }
  | { phase: "objects"; key: string }
  | { phase: "packs"; packId: string; action: "deleted" | "compacted" };

export type TPurgeTypeReport = {
  dataType: DataType;
  syncEnabled: boolean;
  retentionDays: number;
  /** Null when sync is off: everything of the type expires. */
  cutoff: Date | null;
  policyName: string;
  items: number;
  versions: number;
  folders: number;
  mailboxes: number;
  /** Mailboxes with expired data that a legal hold keeps, and how many versions they keep. */
  heldMailboxes: number;
  heldVersions: number;
};

export type TPurgeReport = {
  dryRun: boolean;
  /** The run's record (null for a dry run). */
  runId: string | null;
  asOf: Date;
  /** A run that was killed before this one and has been marked interrupted. */
  resumed: Array<{ runId: string; startedAt: Date }>;
  types: TPurgeTypeReport[];
  history: { items: number; versions: number; folders: number; mailboxes: number; cursorsReset: number };
  held: { mailboxes: number; versions: number };
  /** Content removed from the database (contents + blob rows) and its sizes. */
  blobs: { rows: number; originalBytes: number; storedBytes: number };
  /**
   * Stored objects removed (pending ones and, in the sweep, orphans) and the storage freed; `bytes`
   * includes the pack files deleted (`packs.bytesFreed`), so it is all the storage this run freed.
   */
  objects: TObjectCounts & { orphans: number; stagingFiles: number; recovered: number };
  /** Pack files deleted and compacted (packed objects are reclaimed a pack at a time). */
  packs: TPackCounts;
  batches: number;
  seconds: number;
};

export class PurgeBusyError extends Error {
  override readonly name = "PurgeBusyError";
}

const LOCK_KEY = "coffer.retention.purge";
const DEFAULT_GRACE_MS = 3_600_000;
const DEFAULT_BATCH = 500;

export async function purgeExpired(
  db: Db,
  backend: BlobBackend,
  options: TPurgeOptions,
): Promise<TPurgeReport> {
  const now = options.now ?? new Date();
  const rules = toExpiryRules(await getEffectiveRules(db), now);
  if (options.dryRun) return dryRun(db, backend, rules, options, now);
  // The advisory lock lives on one pinned connection for the whole run; the work uses the pool.
  return db.connection().execute(async (conn) => {
    // Waits a little: right after a purge process is killed, the server may not have noticed yet that
    // its connection (and so its lock) is gone.
    let isLocked = false;
    const deadline = Date.now() + (options.lockWaitMs ?? 10_000);
    for (;;) {
      const { rows } = await sql<{
        ok: boolean;
      }>`SELECT pg_try_advisory_lock(hashtext(${LOCK_KEY})) AS ok`.execute(conn);
      isLocked = rows[0]?.ok === true;
      if (isLocked || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!isLocked) {
      const running = await db
        .selectFrom("purge_runs")
        .select(["started_at", "requested_by"])
        .where("status", "=", "running")
        .orderBy("started_at", "desc")
        .executeTakeFirst();
      throw new PurgeBusyError(
        running
          ? `Another purge is running (started ${running.started_at.toISOString()} by ${running.requested_by}); try again when it has finished.`
          : "Another purge is running; try again when it has finished.",
      );
    }
    try {
      return await applyRun(db, backend, rules, options, now);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${LOCK_KEY}))`.execute(conn);
    }
  });
}

async function applyRun(
  db: Db,
  backend: BlobBackend,
  rules: TExpiryRule[],
  options: TPurgeOptions,
  now: Date,
): Promise<TPurgeReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const unusedSince = new Date(now.getTime() - (options.graceMs ?? DEFAULT_GRACE_MS));
  const reaper = reaperFor(backend, options.reaperHooks);
  const report = emptyReport(false, rules, now);

  // We hold the lock: a run still marked running died without finishing (killed, host lost).
  const stale = await db
    .updateTable("purge_runs")
    .set({
      status: "interrupted",
      finished_at: sql<Date>`heartbeat_at`,
      error: "the process stopped before the run finished",
    })
    .where("status", "=", "running")
    .returning(["id", "started_at"])
    .execute();
  report.resumed = stale.map((r) => ({ runId: r.id, startedAt: r.started_at }));
  for (const r of stale)
    log(`continuing after purge run ${r.id} (started ${r.started_at.toISOString()}), which was interrupted`);

  const run = await db
    .insertInto("purge_runs")
    .values({
      trigger: options.trigger ?? "manual",
      requested_by: options.requestedBy ?? "system",
      rules: JSON.stringify(
        Object.fromEntries(rules.map((r) => [r.dataType, { ...r, cutoff: r.cutoff?.toISOString() ?? null }])),
      ),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  report.runId = run.id;
  const progress = async (phase: PurgeRunRow["phase"]) => {
    report.batches++;
    await db
      .updateTable("purge_runs")
      .set({ phase, heartbeat_at: sql<Date>`now()`, counts: JSON.stringify(flatCounts(report)) })
      .where("id", "=", run.id)
      .execute();
  };

  const parts = await findVersionPartRefs(db);
  const allTouched = new Set<string>();
  const allHeld = new Set<string>();
  try {
    // 1. history
    for (const rule of rules) {
      const typeReport = report.types.find((t) => t.dataType === rule.dataType)!;
      const touched = new Set<string>();
      const held = new Set<string>();
      let after: string | null = null;
      for (;;) {
        const page = await mailboxesWithExpired(db, rule, after, 200);
        if (page.length === 0) break;
        after = page.at(-1)!.id;
        for (const m of page) {
          if (m.isHeld) {
            held.add(m.id);
            continue;
          }
          for (;;) {
            const b = await purgeMailboxBatch(db, rule, m.id, batchSize, parts);
            if (b === null) {
              held.add(m.id); // put on hold since the page was read
              break;
            }
            if (b.versions + b.folders + b.cursorsReset === 0) break;
            touched.add(m.id);
            typeReport.items += b.items;
            typeReport.versions += b.versions;
            typeReport.folders += b.folders;
            report.history.cursorsReset += b.cursorsReset;
            await progress("history");
            await options.onStep?.({
              phase: "history",
              dataType: rule.dataType,
              mailboxId: m.id,
              versions: b.versions,
              folders: b.folders,
            });
          }
        }
      }
      typeReport.mailboxes = touched.size;
      typeReport.heldMailboxes = held.size;
      for (const id of touched) allTouched.add(id);
      for (const id of held) allHeld.add(id);
      if (held.size > 0) typeReport.heldVersions = await countHeldExpired(db, rule, [...held]);
      if (typeReport.versions + typeReport.folders > 0 || held.size > 0) {
        log(
          `${rule.dataType}: ${typeReport.versions} versions (${typeReport.items} items), ${typeReport.folders} folder versions deleted from ${touched.size} mailboxes` +
            (held.size
              ? `; ${held.size} mailboxes on legal hold kept ${typeReport.heldVersions} expired versions`
              : ""),
        );
      }
    }
    summarise(report);
    report.history.mailboxes = allTouched.size;
    report.held.mailboxes = allHeld.size;

    // 2. blobs
    const refs = await findBlobReferences(db);
    await purgeCandidates(db, refs, batchSize, report, progress, options);

    // 3. objects (first whatever a killed run left moved aside)
    const recovered = await reaper.recover(async (key) => {
      const row = await db
        .selectFrom("blobs")
        .select("sha256")
        .where("storage_key", "=", key)
        .executeTakeFirst();
      return row !== undefined;
    }, unusedSince);
    report.objects.recovered = recovered.restored + recovered.removed;
    report.objects.removed += recovered.removed;
    report.objects.bytes += recovered.bytes;
    await drainPending(db, reaper, unusedSince, batchSize, report, progress, options);

    // 4. sweep
    if (options.sweep ?? true) {
      let after: string | null = null;
      let queued = 0;
      for (;;) {
        const page = await queueUnreferencedBlobRows(db, refs, unusedSince, after, batchSize * 4);
        if (page.lastSha === null) break;
        after = page.lastSha;
        queued += page.queued;
      }
      if (queued > 0) {
        log(`sweep: ${queued} unreferenced blob rows found`);
        await purgeCandidates(db, refs, batchSize, report, progress, options);
        await drainPending(db, reaper, unusedSince, batchSize, report, progress, options);
      }
      const orphans = await sweepOrphanObjects(db, reaper, unusedSince, { dryRun: false });
      report.objects.orphans = orphans.counts.removed;
      report.objects.removed += orphans.counts.removed;
      report.objects.bytes += orphans.counts.bytes;
      report.objects.stagingFiles = await reaper.sweepStaging(unusedSince);
      await progress("sweep");
    }

    // 5. packs (after the sweep, which may have released more packed rows)
    if (backend instanceof FsBlobBackend) {
      report.packs = await collectPacks(db, backend, unusedSince, {
        dryRun: false,
        ...(options.packThreshold !== undefined ? { threshold: options.packThreshold } : {}),
        log,
        onPack: async (packId, action) => {
          await options.onStep?.({ phase: "packs", packId, action });
        },
      });
      report.objects.bytes += report.packs.bytesFreed;
      if (report.packs.deleted + report.packs.compacted > 0) {
        log(
          `packs: ${report.packs.deleted} deleted, ${report.packs.compacted} compacted (${report.packs.objectsMoved} objects moved)`,
        );
      }
      await progress("objects");
    }

    report.seconds = Math.round(performance.now() - started) / 1000;
    await db
      .updateTable("purge_runs")
      .set({
        status: "completed",
        phase: "done",
        finished_at: sql<Date>`now()`,
        heartbeat_at: sql<Date>`now()`,
        counts: JSON.stringify(flatCounts(report)),
      })
      .where("id", "=", run.id)
      .execute();
    if (report.history.versions + report.history.folders + report.blobs.rows + report.objects.removed > 0) {
      await appendAudit(db, {
        actorUpn: options.requestedBy ?? "system",
        action: "retention.purge",
        target: options.trigger ?? "manual",
        detail: { runId: run.id, ...flatCounts(report) },
      });
    }
    return report;
  } catch (e) {
    await db
      .updateTable("purge_runs")
      .set({
        status: "failed",
        finished_at: sql<Date>`now()`,
        error: e instanceof Error ? e.message : String(e),
        counts: JSON.stringify(flatCounts(report)),
      })
      .where("id", "=", run.id)
      .execute()
      .catch(() => {});
    throw e;
  }
}

async function purgeCandidates(
  db: Db,
  refs: Awaited<ReturnType<typeof findBlobReferences>>,
  batchSize: number,
  report: TPurgeReport,
  progress: (phase: PurgeRunRow["phase"]) => Promise<void>,
  options: TPurgeOptions,
): Promise<void> {
  for (;;) {
    const b = await purgeCandidateBatch(db, refs, batchSize);
    if (b.candidates === 0) break;
    report.blobs.rows += b.rows;
    report.blobs.originalBytes += b.originalBytes;
    report.blobs.storedBytes += b.storedBytes;
    await progress("blobs");
    await options.onStep?.({ phase: "blobs", rows: b.rows });
  }
}

async function drainPending(
  db: Db,
  reaper: ObjectReaper,
  unusedSince: Date,
  batchSize: number,
  report: TPurgeReport,
  progress: (phase: PurgeRunRow["phase"]) => Promise<void>,
  options: TPurgeOptions,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const { counts, next } = await processPendingObjects(db, reaper, unusedSince, after, batchSize, (key) =>
      options.onStep?.({ phase: "objects", key }),
    );
    report.objects.removed += counts.removed;
    report.objects.bytes += counts.bytes;
    report.objects.deferred += counts.deferred;
    report.objects.revived += counts.revived;
    await progress("objects");
    if (next === null) break;
    after = next;
  }
}

async function countHeldExpired(db: Db, rule: TExpiryRule, mailboxIds: string[]): Promise<number> {
  const cutoff = rule.cutoff ? rule.cutoff.toISOString() : "infinity";
  const row = await db
    .selectFrom("item_versions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("mailbox_id", "in", mailboxIds)
    .where("data_type", "=", rule.dataType)
    .where(sql<boolean>`coalesce(valid_to, received_at, valid_from) < ${cutoff}::timestamptz`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function dryRun(
  db: Db,
  backend: BlobBackend,
  rules: TExpiryRule[],
  options: TPurgeOptions,
  now: Date,
): Promise<TPurgeReport> {
  const started = performance.now();
  const report = emptyReport(true, rules, now);
  const unusedSince = new Date(now.getTime() - (options.graceMs ?? DEFAULT_GRACE_MS));
  const expiry = await countExpired(db, rules);
  for (const t of expiry.types) {
    const r = report.types.find((x) => x.dataType === t.dataType)!;
    r.items = t.toDelete.items;
    r.versions = t.toDelete.versions;
    r.folders = t.toDelete.folders;
    r.mailboxes = t.toDelete.mailboxes;
    r.heldMailboxes = t.protectedByHold.mailboxes;
    r.heldVersions = t.protectedByHold.versions;
  }
  summarise(report);
  report.history.mailboxes = expiry.totals.toDelete.mailboxes;
  report.held.mailboxes = expiry.totals.protectedByHold.mailboxes;
  report.blobs.rows = expiry.totals.toDelete.contents;
  report.blobs.storedBytes = expiry.totals.toDelete.storageFreedBytes;

  const refs = await findBlobReferences(db);
  // What earlier (interrupted) runs queued, or the sweep would find, nothing refers to any more.
  const already =
    (options.sweep ?? true)
      ? await countUnreferencedBlobRows(db, refs, unusedSince)
      : await countQueuedUnreferenced(db, refs);
  report.blobs.rows += already.rows;
  report.blobs.originalBytes += already.originalBytes;
  report.blobs.storedBytes += already.storedBytes;
  const pending = await db
    .selectFrom("purge_pending_objects")
    .select((eb) => [
      eb.fn.countAll<number>().as("n"),
      eb.fn.coalesce(eb.fn.sum<number>("stored_size"), eb.val(0)).as("bytes"),
    ])
    .executeTakeFirstOrThrow();
  // Objects of rows the run would delete, plus those already queued; whether each is still in use is
  // only known when the run looks at it.
  report.objects.removed = report.blobs.rows + Number(pending.n);
  report.objects.bytes = report.blobs.storedBytes + Number(pending.bytes);
  if (options.sweep ?? true) {
    const orphans = await sweepOrphanObjects(db, reaperFor(backend), unusedSince, { dryRun: true });
    report.objects.orphans = orphans.counts.removed;
    report.objects.removed += orphans.counts.removed;
    report.objects.bytes += orphans.counts.bytes;
    report.objects.deferred = orphans.counts.deferred;
  }
  if (backend instanceof FsBlobBackend) {
    // Packs that are dead or sparse now; rows this run would delete can free more, known only when applied.
    report.packs = await collectPacks(db, backend, unusedSince, {
      dryRun: true,
      ...(options.packThreshold !== undefined ? { threshold: options.packThreshold } : {}),
    });
    report.objects.bytes += report.packs.bytesFreed;
  }
  report.seconds = Math.round(performance.now() - started) / 1000;
  return report;
}

async function countQueuedUnreferenced(db: Db, refs: Awaited<ReturnType<typeof findBlobReferences>>) {
  const { rows } = await sql<{ n: number; size: number; stored: number }>`
    SELECT count(*)::bigint AS n, coalesce(sum(b.size), 0)::bigint AS size, coalesce(sum(b.stored_size), 0)::bigint AS stored
    FROM purge_blob_candidates c JOIN blobs b ON b.sha256 = c.sha256
    WHERE NOT ${isReferencedSql(refs, sql`b.sha256`)}`.execute(db);
  return { rows: rows[0]?.n ?? 0, originalBytes: rows[0]?.size ?? 0, storedBytes: rows[0]?.stored ?? 0 };
}

function emptyReport(dryRun: boolean, rules: TExpiryRule[], now: Date): TPurgeReport {
  return {
    dryRun,
    runId: null,
    asOf: now,
    resumed: [],
    types: rules.map((r) => ({
      dataType: r.dataType,
      syncEnabled: r.syncEnabled,
      retentionDays: r.retentionDays,
      cutoff: r.cutoff,
      policyName: r.policyName,
      items: 0,
      versions: 0,
      folders: 0,
      mailboxes: 0,
      heldMailboxes: 0,
      heldVersions: 0,
    })),
    history: { items: 0, versions: 0, folders: 0, mailboxes: 0, cursorsReset: 0 },
    held: { mailboxes: 0, versions: 0 },
    blobs: { rows: 0, originalBytes: 0, storedBytes: 0 },
    objects: { ...zeroObjectCounts(), orphans: 0, stagingFiles: 0, recovered: 0 },
    packs: zeroPackCounts(),
    batches: 0,
    seconds: 0,
  };
}

/** Totals over the data types (the callers set the distinct mailbox counts). */
function summarise(report: TPurgeReport): void {
  const h = report.history;
  h.items = h.versions = h.folders = 0;
  report.held.versions = 0;
  for (const t of report.types) {
    h.items += t.items;
    h.versions += t.versions;
    h.folders += t.folders;
    report.held.versions += t.heldVersions;
  }
}

function flatCounts(r: TPurgeReport): Record<string, number> {
  return {
    items: r.history.items,
    versions: r.history.versions,
    folders: r.history.folders,
    cursorsReset: r.history.cursorsReset,
    heldMailboxes: r.held.mailboxes,
    blobRows: r.blobs.rows,
    blobStoredBytes: r.blobs.storedBytes,
    objectsRemoved: r.objects.removed,
    bytesFreed: r.objects.bytes,
    objectsDeferred: r.objects.deferred,
    orphans: r.objects.orphans,
    packsDeleted: r.packs.deleted,
    packsCompacted: r.packs.compacted,
    packBytesFreed: r.packs.bytesFreed,
    batches: r.batches,
  };
}
