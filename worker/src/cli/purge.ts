import { z } from "zod";
import { CliError, defineCommand } from "./command";

/**
 * `coffer purge --dry-run | --apply`: deletes what the retention policy no longer keeps — expired history
 * rows, then stored content nothing refers to any more — never anything of a mailbox on legal hold.
 * The daily purge job does the same (worker/src/retention/purge-job.ts).
 */
export const purge = defineCommand({
  name: "purge",
  summary: "delete what the retention policy no longer keeps (--dry-run shows it, --apply does it)",
  description:
    "Deletes expired history (per data type: versions that left the mailbox longer ago than the retention " +
    "period, items received longer ago, or everything of a type whose sync is off), then the stored content " +
    "nothing refers to any more. Mailboxes on legal hold are never touched. Runs in bounded batches; a run " +
    "that is stopped can simply be started again and continues.\n" +
    "--dry-run reports what an applied run would delete now and changes nothing.",
  configure: (cmd) =>
    cmd
      .option("--dry-run", "report what would be deleted; change nothing")
      .option("--apply", "delete it")
      .option("--grace-minutes <n>", "never remove stored objects used within this many minutes", "60")
      .option("--no-sweep", "skip the search for unreferenced content no purge queued (faster)")
      .option("--batch-size <n>", "rows per transaction", "500")
      .option("--by <who>", "who runs it, for the audit log (default: cli:<your user>)"),
  options: z.object({
    dryRun: z.boolean().optional(),
    apply: z.boolean().optional(),
    graceMinutes: z.coerce
      .number({ error: "--grace-minutes must be a number" })
      .int("--grace-minutes must be a whole number")
      .min(0, "--grace-minutes cannot be negative")
      .max(10_080, "--grace-minutes can be at most 10080 (a week)"),
    sweep: z.boolean(),
    batchSize: z.coerce
      .number({ error: "--batch-size must be a number" })
      .int("--batch-size must be a whole number")
      .min(1, "--batch-size must be at least 1")
      .max(10_000, "--batch-size can be at most 10000"),
    by: z.string().optional(),
  }),
  async run({ options, io }) {
    if (options.dryRun === options.apply) {
      throw new CliError("say --dry-run (see what would be deleted) or --apply (delete it)", 2);
    }
    const { asCli, cliActor, openPurgeDeps } = await import("../retention/cli-support");
    const { describePurgeReport, runPurge } = await import("../retention/run-purge");
    const deps = openPurgeDeps((line) => io.warn(line));
    try {
      const report = await asCli(() =>
        runPurge(deps, {
          dryRun: !!options.dryRun,
          graceMinutes: options.graceMinutes,
          sweep: options.sweep,
          batchSize: options.batchSize,
          trigger: "manual",
          requestedBy: cliActor(options.by).upn,
        }),
      );
      for (const line of describePurgeReport(report)) io.say(line);
      return { json: { ok: true, ...report } };
    } finally {
      await deps.close();
    }
  },
});
