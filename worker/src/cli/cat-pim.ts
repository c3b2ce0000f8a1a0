import { z } from "zod";
import { archivedMailbox, parseAt } from "./archive-args";
import { CliError, defineCommand } from "./command";

const TYPES = ["calendar", "contacts", "tasks", "notes"] as const;

/**
 * `coffer cat-pim <upn> <id> --type <type> [--format json|ics|vcf] [--at <iso>]`: an archived event,
 * contact, task or note: its original Graph JSON byte for byte (default), or its ICS (events) / vCard
 * (contacts) rendering, on stdout.
 */
export const catPim = defineCommand({
  name: "cat-pim",
  summary: "print an archived event/contact/task/note as its original JSON, ICS or vCard",
  configure: (cmd) =>
    cmd
      .argument("<upn>", "the mailbox's user principal name")
      .argument("<id>", "the item's Graph id (from `coffer ls-pim`)")
      .requiredOption("--type <type>", TYPES.join("|"))
      .option("--format <format>", "json (the original bytes), ics (events) or vcf (contacts)", "json")
      .option("--at <iso>", "point in time (default: now)"),
  options: z.object({
    type: z.enum(TYPES, { error: `--type takes ${TYPES.join(", ")}` }),
    format: z.enum(["json", "ics", "vcf"], { error: "--format takes json, ics or vcf" }),
    at: z.string().optional(),
  }),
  async run({ args, options }) {
    const at = parseAt(options.at);
    const { createArchiveReader } = await import("../sync/create-deps");
    const { readPimOriginal } = await import("@coffer/db/archive-pim/index");
    const reader = createArchiveReader();
    try {
      const mailbox = await archivedMailbox(reader.db, String(args[0]));
      const o = await readPimOriginal(
        reader.db,
        reader.blobs(),
        mailbox.id,
        options.type,
        String(args[1]),
        at ? { at } : {},
      );
      if (!o)
        throw new CliError(
          `no ${options.type} item ${String(args[1])} in ${mailbox.upn}'s archive${at ? ` at ${at.toISOString()}` : ""}`,
        );
      if (options.format === "json") process.stdout.write(o.json);
      else {
        const wanted = options.format === "ics" ? "calendar" : "contacts";
        if (options.type !== wanted || !o.rendering)
          throw new CliError(`--format ${options.format} is for --type ${wanted}`, 2);
        process.stdout.write(o.rendering.text);
      }
      return undefined;
    } finally {
      await reader.close();
    }
  },
});
