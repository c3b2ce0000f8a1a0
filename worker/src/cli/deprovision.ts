import { z } from "zod";
import { defineCommand } from "./command";

/**
 * `coffer deprovision <upn>` / `coffer deprovision <upn> --undo`: takes a mailbox out of syncing (its
 * archive stays, under retention, listed with "include deactivated users"), or puts it back. Audited.
 */
export const deprovision = defineCommand({
  name: "deprovision",
  summary: "stop syncing a mailbox and keep its archive (--undo: provision it again)",
  description:
    "De-provisions a mailbox: it is no longer synced by any task or `coffer sync`; its archive stays readable " +
    'and under the retention policy, and the portal lists it with "include deactivated users". With --undo ' +
    "the mailbox is provisioned again and its next sync continues its archive. Recorded in the audit log.",
  configure: (cmd) =>
    cmd
      .argument("<upn>", "the mailbox's user principal name (or address, or id)")
      .option("--undo", "provision the mailbox again")
      .option("--reason <text>", "why, for the audit log")
      .option("--by <who>", "who acts, for the audit log (default: cli:<your user>)"),
  options: z.object({
    undo: z.boolean().optional(),
    reason: z.string().optional(),
    by: z.string().optional(),
  }),
  async run({ args, options, io }) {
    const { asCli, cliActor, openDb } = await import("../retention/cli-support");
    const lifecycle = await import("@coffer/db/retention/deprovisioning");
    const { db, close } = openDb();
    try {
      const input = { mailbox: String(args[0]), ...(options.reason ? { reason: options.reason } : {}) };
      const actor = cliActor(options.by);
      const r = await asCli(() =>
        options.undo
          ? lifecycle.reprovision(db, input, { actor })
          : lifecycle.deprovision(db, input, { actor }),
      );
      io.say(r.message);
      return { json: { ok: true, ...r } };
    } finally {
      await close();
    }
  },
});
