import { z } from "zod";
import { CliError, defineCommand } from "./command";

/**
 * `coffer policy [show]` and `coffer policy set <type…> [--sync on|off] [--days n] [--yes]`: the retention
 * policy per data type. Without --yes, `set` only shows what the change would delete (the portal's
 * confirmation dialog, in text); with --yes it saves the change (audited) and runs the purge it calls for.
 */
export const policy = defineCommand({
  name: "policy",
  summary: "show or change the retention policy per data type (set … --yes to save)",
  description:
    "coffer policy [show]                                   the rules in force per data type\n" +
    "coffer policy set <type…> [--sync on|off] [--days <n>] what the change deletes; add --yes to save it\n" +
    "Types: mail, calendar, contacts, tasks, notes. Retention: 1 to 36,135 days (the Default policy keeps\n" +
    "2,555). Turning a type off stops its sync and deletes its archived data; shortening deletes what is\n" +
    "older. Mailboxes on legal hold keep everything. With --yes the purge runs right away (--no-purge\n" +
    "leaves it to the daily purge). Only the Default policy can be edited.",
  configure: (cmd) =>
    cmd
      .argument("[action]", "show (default) or set", "show")
      .argument("[types...]", "data types to change (set)")
      .option("--sync <on|off>", "turn the types' sync on or off")
      .option("--days <n>", "keep the types' archived data this many days")
      .option("--yes", "save the change (without it, only show what it would do)")
      .option("--no-purge", "with --yes: leave the deletion to the daily purge")
      .option("--by <who>", "who acts, for the audit log (default: cli:<your user>)"),
  options: z.object({
    sync: z.enum(["on", "off"], { error: "--sync must be on or off" }).optional(),
    days: z.string().optional(),
    yes: z.boolean().optional(),
    purge: z.boolean(),
    by: z.string().optional(),
  }),
  async run({ args, options, io }) {
    const action = String(args[0] ?? "show");
    const types = Array.isArray(args[1]) ? args[1].map(String) : [];
    const { asCli, cliActor, openDb, openPurgeDeps } = await import("../retention/cli-support");
    const retention = await import("@coffer/db/retention/policy-change");
    const { formatDays } = await import("@coffer/db/retention/wording");

    if (action === "show") {
      const { db, close } = openDb();
      try {
        const s = await retention.getRetentionSettings(db);
        io.say(`Rules in force (the ${s.defaultPolicy.name} policy unless another one takes priority):`);
        for (const r of s.effective) {
          io.say(
            `  ${r.label.padEnd(9)} sync ${r.syncEnabled ? "on " : "off"}  ${formatDays(r.retentionDays)}` +
              (r.policyName === s.defaultPolicy.name ? "" : `  (policy ${r.policyName})`),
          );
        }
        io.say(
          `${s.defaultPolicy.name} policy last changed ${s.defaultPolicy.updatedAt.toISOString()}` +
            (s.defaultPolicy.updatedBy ? ` by ${s.defaultPolicy.updatedBy}` : "") +
            `; other policies: ${s.otherPolicies.length ? s.otherPolicies.map((p) => `${p.name} (priority ${p.priority})`).join(", ") : "none"}.`,
        );
        return { json: { ok: true, ...s } };
      } finally {
        await close();
      }
    }
    if (action !== "set") throw new CliError(`unknown action "${action}": use show or set`, 2);
    if (types.length === 0) throw new CliError("say which data types: coffer policy set mail --days 365", 2);
    if (options.sync === undefined && options.days === undefined) {
      throw new CliError("say what to change: --sync on|off, --days <n>, or both", 2);
    }
    const input = {
      rules: types.map((dataType) => ({
        dataType,
        ...(options.sync ? { syncEnabled: options.sync === "on" } : {}),
        ...(options.days !== undefined ? { retentionDays: options.days } : {}),
      })),
    };

    if (!options.yes) {
      const { db, close } = openDb();
      try {
        const preview = await asCli(() => retention.previewPolicyChange(db, input));
        io.say(preview.confirmation.title);
        for (const line of preview.confirmation.lines) io.say(`  ${line}`);
        if (!preview.isNoop) io.say("Nothing was changed. Run the same command with --yes to save it.");
        return { json: { ok: true, applied: false, preview } };
      } finally {
        await close();
      }
    }

    const { applyPolicyChangeAndPurge } = await import("../retention/apply-policy");
    const { describePurgeReport } = await import("../retention/run-purge");
    const deps = openPurgeDeps((line) => io.warn(line));
    try {
      const { result, purge } = await asCli(() =>
        applyPolicyChangeAndPurge(deps, input, { actor: cliActor(options.by), isPurging: options.purge }),
      );
      for (const line of result.preview.confirmation.lines) io.say(line);
      io.say(result.message);
      if (purge) for (const line of describePurgeReport(purge)) io.say(line);
      return { json: { ok: true, applied: !result.preview.isNoop, ...result, purgeReport: purge } };
    } finally {
      await deps.close();
    }
  },
});
