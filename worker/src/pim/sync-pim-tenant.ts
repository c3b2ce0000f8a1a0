import { isMailboxActive } from "@coffer/db/mailboxes/mailboxes";
import type { MailboxRow } from "@coffer/db/schema";
import pLimit from "p-limit";
import { newRequestStats } from "../graph/middleware";
import { recordDirectoryUser } from "../sync/sync-mailbox";
import type { TSyncDeps } from "../sync/types";
import { syncPim, type TPimSyncOptions, type TPimTypeResult } from "./sync-pim";

export type TPimMailboxResult = { upn: string; mailboxId: string; types: TPimTypeResult[] };

/**
 * `coffer sync-pim --all`: calendars, contacts, tasks and notes of every enabled, licensed user of the
 * directory (the same selection as `coffer sync --all`), several mailboxes at once.
 */
export async function syncPimTenant(
  deps: TSyncDeps,
  opts: TPimSyncOptions & { parallel?: number; onResult?: (r: TPimMailboxResult) => void } = {},
): Promise<{ mailboxes: TPimMailboxResult[]; seconds: number }> {
  const started = performance.now();
  const mailboxes: MailboxRow[] = [];
  for await (const user of deps.graph.listUsers({ stats: newRequestStats() })) {
    if (!user.accountEnabled || !user.isLicensed) continue;
    const row = await recordDirectoryUser(deps, user);
    if (isMailboxActive(row)) mailboxes.push(row);
  }
  const limit = pLimit(opts.parallel ?? 4);
  const results = await Promise.all(
    mailboxes.map((m) =>
      limit(async () => {
        let types: TPimTypeResult[];
        try {
          types = await syncPim(deps, m, opts);
        } catch (e) {
          // The mailbox lock was busy: every type of this mailbox is left to the next run.
          const reason = e instanceof Error ? e.message : String(e);
          types = (opts.types ?? ["calendar", "contacts", "tasks", "notes"]).map((type) => ({
            type,
            status: "failed" as const,
            reason,
            stats: {
              added: 0,
              changed: 0,
              removed: 0,
              skipped: 0,
              requests: 0,
              throttled: 0,
              retries: 0,
              bytes: 0,
              folders: 0,
              seconds: 0,
            },
          }));
        }
        const r = { upn: m.upn, mailboxId: m.id, types };
        opts.onResult?.(r);
        return r;
      }),
    ),
  );
  return { mailboxes: results, seconds: Math.round(performance.now() - started) / 1000 };
}
