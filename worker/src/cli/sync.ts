import { z } from "zod";
import { CliError, defineCommand } from "./command";

/**
 * `coffer sync <upn>` / `coffer sync --all`: Mailbox Folder Replication for mail, now.
 * Prints what changed in the archive and what it cost in Graph requests.
 */
export const sync = defineCommand({
  name: "sync",
  summary: "archive a mailbox now (or every enabled, licensed mailbox with --all)",
  description:
    "Replicates the mailbox's folders and messages into the archive: new and changed messages are stored, " +
    "moves, renames and deletions are kept as history. A mailbox's first sync archives its last " +
    "--recent-days first, then everything older.\n" +
    "Prints added, changed, removed, requests, throttled and seconds. Exits with 1 when a mailbox failed.",
  configure: (cmd) =>
    cmd
      .argument("[upn]", "the mailbox's user principal name")
      .option("--all", "every enabled, licensed user of the directory")
      .option("--parallel <n>", "mailboxes synced at once with --all", "4")
      .option("--recent-days <n>", "days archived first by a mailbox's first sync (0: no recent pass)", "14")
      .option("--wait", "wait for a running sync of the same mailbox instead of failing"),
  options: z.object({
    all: z.boolean().optional(),
    parallel: z.coerce.number({ error: "--parallel must be a number" }).int().min(1).max(64),
    recentDays: z.coerce.number({ error: "--recent-days must be a number" }).int().min(0).max(3650),
    wait: z.boolean().optional(),
  }),
  async run({ args, options, io }) {
    const upn = typeof args[0] === "string" ? args[0] : undefined;
    if (!upn && !options.all)
      throw new CliError("say which mailbox: `coffer sync <upn>`, or `coffer sync --all`", 2);
    if (upn && options.all) throw new CliError("give either a mailbox or --all, not both", 2);
    const { createSyncDeps } = await import("../sync/create-deps");
    const { describeFailure } = await import("../sync/describe");
    const deps = createSyncDeps((line) => io.warn(line));
    const syncOptions = { recentDays: options.recentDays, shouldWaitForLock: !!options.wait };
    try {
      if (upn) {
        const { resolveMailbox, syncMailbox } = await import("../sync/sync-mailbox");
        const mailbox = await resolveMailbox(deps, upn);
        try {
          const stats = await syncMailbox(deps, mailbox, syncOptions);
          if (stats.skippedReason) throw new CliError(`${mailbox.upn}: not synced: ${stats.skippedReason}`);
          io.say(formatStats(mailbox.upn, stats));
          return { json: { upn: mailbox.upn, ok: true, ...stats } };
        } catch (e) {
          if (e instanceof CliError) throw e;
          throw new CliError(`${mailbox.upn}: ${describeFailure(e)}`);
        }
      }
      const { syncTenant } = await import("../sync/sync-tenant");
      const result = await syncTenant(deps, {
        ...syncOptions,
        parallel: options.parallel,
        onResult: (r) =>
          io.say(
            !r.stats
              ? `${r.upn}: failed: ${r.error}`
              : r.stats.skippedReason
                ? `${r.upn}: not synced: ${r.stats.skippedReason}`
                : formatStats(r.upn, r.stats),
          ),
      });
      const failed = result.mailboxes.filter((m) => !m.stats);
      const totals = { added: 0, changed: 0, removed: 0, requests: 0, throttled: 0 };
      for (const m of result.mailboxes) {
        if (!m.stats) continue;
        for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += m.stats[k];
      }
      io.say(
        `${result.mailboxes.length} mailboxes (${failed.length} failed): added ${totals.added}, changed ${totals.changed}, ` +
          `removed ${totals.removed}, requests ${totals.requests}, throttled ${totals.throttled}, seconds ${result.seconds}`,
      );
      return {
        json: {
          ok: failed.length === 0,
          seconds: result.seconds,
          totals,
          mailboxes: result.mailboxes.map((m) => ({
            upn: m.upn,
            ok: !!m.stats,
            error: m.error,
            ...(m.stats ?? {}),
          })),
        },
        exitCode: failed.length ? 1 : 0,
      };
    } finally {
      await deps.close();
    }
  },
});

function formatStats(
  upn: string,
  s: {
    added: number;
    changed: number;
    removed: number;
    requests: number;
    throttled: number;
    seconds: number;
    skipped: number;
  },
): string {
  const skipped = s.skipped ? `, skipped ${s.skipped}` : "";
  return `${upn}: added ${s.added}, changed ${s.changed}, removed ${s.removed}${skipped}, requests ${s.requests}, throttled ${s.throttled}, seconds ${s.seconds}`;
}
