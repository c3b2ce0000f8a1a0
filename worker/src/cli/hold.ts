import { z } from "zod";
import { CliError, defineCommand } from "./command";

/**
 * `coffer hold place <upn> --reason …`, `coffer hold release <upn>`, `coffer hold list [--all]`: legal
 * hold per mailbox. While a mailbox is on hold the purge deletes nothing of it. Audited.
 */
export const hold = defineCommand({
  name: "hold",
  summary: "legal hold: place, release or list (a mailbox on hold is never purged)",
  description:
    "coffer hold place <upn> --reason <text>   put a mailbox on legal hold\n" +
    "coffer hold release <upn> [--note <text>] release it (the next purge applies the retention rules again)\n" +
    "coffer hold list [--all]                  mailboxes on hold (--all: with released holds)\n" +
    "Every place and release is recorded in the audit log, with --by or your user name.",
  configure: (cmd) =>
    cmd
      .argument("<action>", "place, release or list")
      .argument("[upn]", "the mailbox's user principal name (or address, or id)")
      .option("--reason <text>", "why the mailbox is held (place)")
      .option("--note <text>", "why the hold is released (release)")
      .option("--all", "list released holds too")
      .option("--by <who>", "who acts, for the audit log (default: cli:<your user>)"),
  options: z.object({
    reason: z.string().optional(),
    note: z.string().optional(),
    all: z.boolean().optional(),
    by: z.string().optional(),
  }),
  async run({ args, options, io }) {
    const action = String(args[0]);
    const upn = typeof args[1] === "string" ? args[1] : undefined;
    if (!["place", "release", "list"].includes(action)) {
      throw new CliError(`unknown action "${action}": use place, release or list`, 2);
    }
    if (action !== "list" && !upn) throw new CliError(`say which mailbox: coffer hold ${action} <upn>`, 2);
    const { asCli, cliActor, openDb } = await import("../retention/cli-support");
    const holds = await import("@coffer/db/retention/holds");
    const { db, close } = openDb();
    try {
      const actor = cliActor(options.by);
      if (action === "place") {
        const r = await asCli(() =>
          holds.placeHold(db, { mailbox: upn, reason: options.reason ?? "" }, { actor }),
        );
        io.say(r.message);
        return { json: { ok: true, hold: r.hold, message: r.message } };
      }
      if (action === "release") {
        const r = await asCli(() =>
          holds.releaseHold(db, { mailbox: upn, ...(options.note ? { note: options.note } : {}) }, { actor }),
        );
        io.say(r.message);
        return { json: { ok: true, ...r } };
      }
      const list = await asCli(() => holds.listHolds(db, { includeReleased: !!options.all }));
      if (list.length === 0)
        io.say(options.all ? "No mailbox has ever been on legal hold." : "No mailbox is on legal hold.");
      for (const h of list) {
        const state = h.isActive
          ? "on hold"
          : `released ${h.releasedAt?.toISOString().slice(0, 16).replace("T", " ")} by ${h.releasedBy}`;
        io.say(
          `${h.upn}\t${state}\tsince ${h.placedAt.toISOString().slice(0, 16).replace("T", " ")} by ${h.placedBy}\t${h.reason}`,
        );
      }
      return { json: { ok: true, holds: list } };
    } finally {
      await close();
    }
  },
});
