import { z } from "zod";
import { archivedMailbox, parseAt } from "./archive-args";
import { defineCommand } from "./command";

/**
 * `coffer ls <upn> [--at <iso>]`: the archived mailbox as it was at a point in time. `--json` prints
 * `{ upn, at, folders: [{id, path}], items: [{id, folderPath, internetMessageId, sha256, size}] }`,
 * the shape of the simulator's mailbox state, so the two compare directly.
 */
export const ls = defineCommand({
  name: "ls",
  summary: "list an archived mailbox's folders and messages (now, or as they were at --at)",
  configure: (cmd) =>
    cmd
      .argument("<upn>", "the mailbox's user principal name")
      .option("--at <iso>", "point in time, e.g. 2026-11-21T10:00:00Z (default: now)"),
  options: z.object({ at: z.string().optional() }),
  async run({ args, options, io }) {
    const at = parseAt(options.at);
    const { createArchiveReader } = await import("../sync/create-deps");
    const { listMailboxAt } = await import("../sync/list-mailbox");
    const reader = createArchiveReader();
    try {
      const mailbox = await archivedMailbox(reader.db, String(args[0]));
      const listing = await listMailboxAt(reader.db, mailbox.id, at);
      if (!io.json) {
        const counts = new Map<string, number>();
        for (const i of listing.items) counts.set(i.folderPath, (counts.get(i.folderPath) ?? 0) + 1);
        io.say(
          `${mailbox.upn} at ${listing.at}: ${listing.folders.length} folders, ${listing.items.length} messages`,
        );
        for (const f of listing.folders) io.say(`  ${f.path}  (${counts.get(f.path) ?? 0})`);
        for (const i of listing.items) {
          io.say(`${i.id}\t${i.folderPath}\t${i.size}\t${i.sha256}\t${i.internetMessageId ?? ""}`);
        }
      }
      return { json: { upn: mailbox.upn, ...listing } };
    } finally {
      await reader.close();
    }
  },
});
