import { z } from "zod";
import { archivedMailbox, parseAt } from "./archive-args";
import { CliError, defineCommand } from "./command";

/**
 * `coffer cat <upn> <itemId>`: the archived original (MIME) on stdout, byte for byte, integrity-checked
 * (a corrupt or tampered blob fails with exit code 1 instead of ending normally).
 */
export const cat = defineCommand({
  name: "cat",
  summary: "write an archived message's original bytes (EML) to stdout",
  description:
    "Writes the archived original of the message to stdout, byte-identical to what Graph returned.\n" +
    "With --json, prints the item's metadata and the bytes in base64 instead.",
  configure: (cmd) =>
    cmd
      .argument("<upn>", "the mailbox's user principal name")
      .argument("<itemId>", "the message's id (as `coffer ls` shows it)")
      .option("--at <iso>", "the version at this point in time (default: the latest)"),
  options: z.object({ at: z.string().optional() }),
  async run({ args, options, io }) {
    const at = parseAt(options.at);
    const { createArchiveReader } = await import("../sync/create-deps");
    const { getArchivedItem } = await import("@coffer/db/archive/index");
    const reader = createArchiveReader();
    try {
      const mailbox = await archivedMailbox(reader.db, String(args[0]));
      const itemId = String(args[1]);
      const item = await getArchivedItem(reader.db, mailbox.id, itemId, at ? { at } : {});
      if (!item) throw new CliError(`no message ${itemId} in the archive of ${mailbox.upn}`);
      const stream = await reader.blobs().getStream(item.sha256);
      if (io.json) {
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        return {
          json: {
            id: item.graphId,
            sha256: item.sha256,
            size: item.size,
            status: item.status,
            subject: item.subject,
            parseError: item.parseError,
            base64: Buffer.concat(chunks).toString("base64"),
          },
        };
      }
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("end", resolve);
        stream.pipe(process.stdout, { end: false });
      });
      await new Promise<void>((resolve) =>
        process.stdout.writableNeedDrain ? process.stdout.once("drain", resolve) : resolve(),
      );
      return undefined;
    } finally {
      await reader.close();
    }
  },
});
