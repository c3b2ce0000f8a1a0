import { listMailboxSyncStates } from "@coffer/db/archive/index";
import { isMailboxActive } from "@coffer/db/mailboxes/mailboxes";
import type { MailboxRow } from "@coffer/db/schema";
import pLimit from "p-limit";
import { newRequestStats } from "../graph/middleware";
import { describeFailure } from "./describe";
import { recordDirectoryUser, syncMailbox } from "./sync-mailbox";
import type { TSyncDeps, TSyncOptions, TSyncResult } from "./types";

export type TMailboxRunResult = {
  upn: string;
  mailboxId: string;
  /** null when the run failed (see error). */
  stats: TSyncResult | null;
  error: string | null;
};

export type TTenantSyncResult = { mailboxes: TMailboxRunResult[]; seconds: number };

/**
 * `coffer sync --all`: every enabled, licensed user of the directory, several mailboxes in parallel (each
 * mailbox has its own Graph budget, so parallelism across mailboxes is the lever).
 *
 * Mailboxes never synced before get a first pass that archives only their last `recentDays` (the whole
 * tenant's recent mail is protected before any backfill starts), then every mailbox gets its full run.
 */
export async function syncTenant(
  deps: TSyncDeps,
  opts: TSyncOptions & { parallel?: number; onResult?: (r: TMailboxRunResult) => void } = {},
): Promise<TTenantSyncResult> {
  const started = performance.now();
  const mailboxes: MailboxRow[] = [];
  for await (const user of deps.graph.listUsers({ stats: newRequestStats() })) {
    if (!user.accountEnabled || !user.isLicensed) continue;
    const row = await recordDirectoryUser(deps, user);
    if (isMailboxActive(row)) mailboxes.push(row);
  }
  const limit = pLimit(opts.parallel ?? 4);
  const states = new Map(
    (
      await listMailboxSyncStates(
        deps.db,
        "mail",
        mailboxes.map((m) => m.id),
      )
    ).map((s) => [s.mailboxId, s]),
  );
  const neverSynced = mailboxes.filter((m) => !states.get(m.id)?.lastSuccessAt);
  const recentDays = opts.recentDays ?? 14;
  if (recentDays > 0 && neverSynced.length > 1) {
    deps.log?.(`first pass: the last ${recentDays} days of ${neverSynced.length} new mailboxes`);
    await Promise.all(
      neverSynced.map((m) =>
        limit(async () => {
          try {
            await syncMailbox(deps, m, { ...opts, isRecentOnly: true });
          } catch (e) {
            deps.log?.(`${m.upn}: first pass failed: ${describeFailure(e)}`);
          }
        }),
      ),
    );
  }
  const results = await Promise.all(
    mailboxes.map((m) =>
      limit(async (): Promise<TMailboxRunResult> => {
        let r: TMailboxRunResult;
        try {
          r = { upn: m.upn, mailboxId: m.id, stats: await syncMailbox(deps, m, opts), error: null };
        } catch (e) {
          r = { upn: m.upn, mailboxId: m.id, stats: null, error: describeFailure(e) };
        }
        opts.onResult?.(r);
        return r;
      }),
    ),
  );
  return { mailboxes: results, seconds: Math.round(performance.now() - started) / 1000 };
}
