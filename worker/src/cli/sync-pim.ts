import { z } from "zod";
import { CliError, defineCommand } from "./command";

const TYPES = ["calendar", "contacts", "tasks", "notes"] as const;

/**
 * `coffer sync-pim <upn> [--types calendar,contacts,tasks,notes]`: calendars, contacts, To Do tasks and
 * notes of one mailbox, now (mail is `coffer sync`). A type whose sync the retention policy turns off is
 * reported as skipped. Exits with 1 when a type failed.
 */
export const syncPimCommand = defineCommand({
  name: "sync-pim",
  summary: "archive a mailbox's calendars, contacts, To Do tasks and notes now",
  description:
    "Replicates the mailbox's calendars (series with their exceptions, single events), contact folders and " +
    "contacts, To Do lists and tasks (steps and attachments) and notes into the archive, as the original " +
    "Graph JSON. Prints added, changed, removed and requests per type.",
  configure: (cmd) =>
    cmd
      .argument("[upn]", "the mailbox's user principal name")
      .option("--all", "every enabled, licensed user of the directory")
      .option("--parallel <n>", "mailboxes synced at once with --all", "4")
      .option("--types <list>", "comma-separated: calendar,contacts,tasks,notes", TYPES.join(","))
      .option("--wait", "wait for a running sync of the same mailbox instead of failing"),
  options: z.object({
    types: z
      .string()
      .transform((s) =>
        s
          .split(",")
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(TYPES, { error: `--types takes ${TYPES.join(", ")}` })).min(1)),
    wait: z.boolean().optional(),
    all: z.boolean().optional(),
    parallel: z.coerce.number({ error: "--parallel must be a number" }).int().min(1).max(64),
  }),
  async run({ args, options, io }) {
    const upn = typeof args[0] === "string" ? args[0] : "";
    if (!upn && !options.all)
      throw new CliError("say which mailbox: `coffer sync-pim <upn>`, or `coffer sync-pim --all`", 2);
    if (upn && options.all) throw new CliError("give either a mailbox or --all, not both", 2);
    const { createSyncDeps } = await import("../sync/create-deps");
    const { resolveMailbox } = await import("../sync/sync-mailbox");
    const { syncPim } = await import("../pim/sync-pim");
    const deps = createSyncDeps((line) => io.warn(line));
    const say = (
      mailboxUpn: string,
      results: Array<{ type: string; status: string; reason?: string; stats: Record<string, number> }>,
    ) => {
      for (const r of results) {
        const s = r.stats;
        io.say(
          r.status === "synced"
            ? `${mailboxUpn} ${r.type}: added ${s.added}, changed ${s.changed}, removed ${s.removed}, skipped ${s.skipped}, requests ${s.requests}, seconds ${s.seconds}`
            : `${mailboxUpn} ${r.type}: ${r.status}: ${r.reason ?? ""}`,
        );
      }
    };
    try {
      if (options.all) {
        const { syncPimTenant } = await import("../pim/sync-pim-tenant");
        const result = await syncPimTenant(deps, {
          types: options.types,
          shouldWaitForLock: !!options.wait,
          parallel: options.parallel,
          onResult: (r) => say(r.upn, r.types),
        });
        const failed = result.mailboxes.filter((m) => m.types.some((t) => t.status === "failed"));
        io.say(
          `${result.mailboxes.length} mailboxes (${failed.length} with a failed type), seconds ${result.seconds}`,
        );
        return { json: { ok: failed.length === 0, ...result }, exitCode: failed.length ? 1 : 0 };
      }
      const mailbox = await resolveMailbox(deps, upn);
      const results = await syncPim(deps, mailbox, {
        types: options.types,
        shouldWaitForLock: !!options.wait,
      });
      say(mailbox.upn, results);
      const failed = results.some((r) => r.status === "failed");
      return { json: { upn: mailbox.upn, ok: !failed, types: results }, exitCode: failed ? 1 : 0 };
    } finally {
      await deps.close();
    }
  },
});
