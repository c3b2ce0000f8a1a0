import { z } from "zod";
import { archivedMailbox, parseAt } from "./archive-args";
import { CliError, defineCommand } from "./command";

const TYPES = ["calendar", "contacts", "tasks", "notes"] as const;

/**
 * `coffer ls-pim <upn> --type calendar|contacts|tasks|notes [--at <iso>]`: the archived calendars,
 * contact folders, task lists or notes as they were at a point in time, with their items. `--json` prints
 * `{upn, type, at, containers: [{id, displayName}], items: [{id, containerId, title, sha256}]}` (ids and
 * sha256 compare directly with the simulator's state). `--from/--to` with `--type calendar` prints the
 * calendar's instances in that range instead (series expanded).
 */
export const lsPim = defineCommand({
  name: "ls-pim",
  summary: "list an archived mailbox's calendar, contacts, tasks or notes (now, or at --at)",
  configure: (cmd) =>
    cmd
      .argument("<upn>", "the mailbox's user principal name")
      .requiredOption("--type <type>", TYPES.join("|"))
      .option("--at <iso>", "point in time (default: now)")
      .option("--from <iso>", "calendar: start of the range to expand")
      .option("--to <iso>", "calendar: end of the range to expand"),
  options: z.object({
    type: z.enum(TYPES, { error: `--type takes ${TYPES.join(", ")}` }),
    at: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  async run({ args, options, io }) {
    const at = parseAt(options.at);
    const { createArchiveReader } = await import("../sync/create-deps");
    const pim = await import("@coffer/db/archive-pim/index");
    const reader = createArchiveReader();
    try {
      const mailbox = await archivedMailbox(reader.db, String(args[0]));
      const atOpt = at ? { at } : {};
      if (options.from || options.to) {
        if (options.type !== "calendar") throw new CliError("--from/--to go with --type calendar", 2);
        const from = parseAt(options.from) ?? new Date();
        const to = parseAt(options.to) ?? new Date(from.getTime() + 31 * 86_400_000);
        const view = await pim.getCalendarView(reader.db, mailbox.id, { ...atOpt, from, to });
        if (!io.json)
          for (const v of view)
            io.say(
              `${v.start.toISOString()}  ${v.end.toISOString()}  ${v.kind.padEnd(10)} ${v.subject}${v.location ? `  @ ${v.location}` : ""}`,
            );
        return {
          json: { upn: mailbox.upn, at: (at ?? new Date()).toISOString(), from, to, instances: view },
        };
      }
      const containers = await pim.listPimContainers(reader.db, mailbox.id, options.type, atOpt);
      const items = await pim.listPimItems(reader.db, mailbox.id, options.type, atOpt);
      if (!io.json) {
        io.say(
          `${mailbox.upn} ${options.type} at ${(at ?? new Date()).toISOString()}: ${containers.length} containers, ${items.length} items`,
        );
        for (const c of containers) {
          const mine = items.filter((i) => i.containerGraphId === c.graphId);
          io.say(`  ${c.displayName}${c.wellKnownName ? ` [${c.wellKnownName}]` : ""}  (${mine.length})`);
          for (const i of mine) io.say(`    ${i.title || "(untitled)"}\t${i.graphId}\t${i.sha256}`);
        }
      }
      return {
        json: {
          upn: mailbox.upn,
          type: options.type,
          at: (at ?? new Date()).toISOString(),
          containers: containers.map((c) => ({
            id: c.graphId,
            displayName: c.displayName,
            wellKnownName: c.wellKnownName,
          })),
          items: items.map((i) => ({
            id: i.graphId,
            containerId: i.containerGraphId,
            title: i.title,
            sha256: i.sha256,
            size: i.size,
          })),
        },
      };
    } finally {
      await reader.close();
    }
  },
});
