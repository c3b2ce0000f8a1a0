import type { BlobStore } from "@coffer/db/blobs/store";
import type { Db } from "@coffer/db/client";
import { purgeExpired, type TPurgeReport } from "@coffer/db/purge/index";
import { DATA_TYPE_LABELS, formatBytes, formatDays } from "@coffer/db/retention/wording";

/**
 * One purge run from the worker or the CLI: the database purge engine (db/src/purge) over this process's
 * blob store, with plain-word log lines. Used by `coffer purge`, the daily job (purge-job.ts) and policy
 * changes applied from the CLI.
 */
export type TPurgeDeps = { db: Db; blobs: BlobStore; log?: (line: string) => void };

export type TRunPurgeOptions = {
  dryRun: boolean;
  /** Objects used within this many minutes are never removed (default 60). */
  graceMinutes?: number;
  /** Also look for unreferenced rows and objects no purge queued (default true). */
  sweep?: boolean;
  batchSize?: number;
  trigger?: "schedule" | "manual" | "policy_change";
  requestedBy?: string;
};

export async function runPurge(deps: TPurgeDeps, options: TRunPurgeOptions): Promise<TPurgeReport> {
  return purgeExpired(deps.db, deps.blobs.backend, {
    dryRun: options.dryRun,
    ...(options.graceMinutes !== undefined ? { graceMs: options.graceMinutes * 60_000 } : {}),
    ...(options.sweep !== undefined ? { sweep: options.sweep } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    trigger: options.trigger ?? "manual",
    requestedBy: options.requestedBy ?? "system",
    ...(deps.log ? { log: deps.log } : {}),
  });
}

/** The report in lines for people (the CLI, the job's log). */
export function describePurgeReport(r: TPurgeReport): string[] {
  const verb = r.dryRun ? "would delete" : "deleted";
  const lines: string[] = [];
  if (r.dryRun) lines.push("Dry run: nothing was changed. An applied purge now would do this:");
  for (const id of r.resumed) lines.push(`Continued after purge run ${id.runId}, which was interrupted.`);
  for (const t of r.types) {
    const rule = t.syncEnabled ? `kept ${formatDays(t.retentionDays)}` : "sync off: everything goes";
    const what =
      t.versions + t.folders > 0
        ? `${verb} ${n(t.items)} items (${n(t.versions)} versions, ${n(t.folders)} folder versions) from ${n(t.mailboxes)} mailboxes`
        : "nothing expired";
    const held = t.heldMailboxes
      ? `; legal hold keeps ${n(t.heldVersions)} expired versions in ${n(t.heldMailboxes)} mailboxes`
      : "";
    lines.push(`${DATA_TYPE_LABELS[t.dataType]} (${rule}, policy ${t.policyName}): ${what}${held}.`);
  }
  lines.push(
    `Content: ${verb} ${n(r.blobs.rows)} stored contents nothing refers to any more (${formatBytes(r.blobs.originalBytes)} original).`,
  );
  const objects = `Storage: ${r.dryRun ? "would remove" : "removed"} ${n(r.objects.removed)} objects, ${formatBytes(r.objects.bytes)} freed`;
  const extras = [
    r.objects.orphans ? `${n(r.objects.orphans)} of them orphans` : "",
    r.objects.deferred ? `${n(r.objects.deferred)} in use and kept for a later run` : "",
    r.objects.stagingFiles ? `${n(r.objects.stagingFiles)} stale staging files removed` : "",
  ].filter(Boolean);
  lines.push(`${objects}${extras.length ? ` (${extras.join(", ")})` : ""}.`);
  const p = r.packs;
  if (p.deleted + p.compacted + p.deferred > 0) {
    lines.push(
      `Pack files: ${r.dryRun ? "would delete" : "deleted"} ${n(p.deleted)}, ${r.dryRun ? "would compact" : "compacted"} ${n(p.compacted)}` +
        (r.dryRun
          ? `, ${formatBytes(p.bytesFreed)} to reclaim`
          : `, ${formatBytes(p.bytesFreed)} freed (${n(p.objectsMoved)} live objects copied, ${formatBytes(p.bytesCopied)}; a compacted pack is deleted after the grace period)`) +
        (p.deferred
          ? `; ${n(p.deferred)} written or released within the grace period, kept for a later run`
          : "") +
        ".",
    );
  }
  lines.push(
    `${r.dryRun ? "Checked" : "Done"} in ${r.seconds} s${r.batches ? `, ${n(r.batches)} batches` : ""}.`,
  );
  return lines;
}

function n(value: number): string {
  return value.toLocaleString("en");
}
