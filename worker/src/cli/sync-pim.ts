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
      .argument("<upn>", "the mailbox's user principal name")
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
  }),
  async run({ args, options, io }) {
    const upn = String(args[0] ?? "");
    if (!upn) throw new CliError("say which mailbox: `coffer sync-pim <upn>`", 2);
    const { createSyncDeps } = await import("../sync/create-deps");
    const { resolveMailbox } = await import("../sync/sync-mailbox");
    const { syncPim } = await import("../pim/sync-pim");
    const deps = createSyncDeps((line) => io.warn(line));
    try {
      const mailbox = await resolveMailbox(deps, upn);
      const results = await syncPim(deps, mailbox, {
        types: options.types,
        shouldWaitForLock: !!options.wait,
      });
      for (const r of results) {
        const s = r.stats;
        io.say(
          r.status === "synced"
            ? `${mailbox.upn} ${r.type}: added ${s.added}, changed ${s.changed}, removed ${s.removed}, skipped ${s.skipped}, requests ${s.requests}, seconds ${s.seconds}`
            : `${mailbox.upn} ${r.type}: ${r.status}: ${r.reason ?? ""}`,
        );
      }
      const failed = results.some((r) => r.status === "failed");
      return { json: { upn: mailbox.upn, ok: !failed, types: results }, exitCode: failed ? 1 : 0 };
    } finally {
      await deps.close();
    }
  },
});
