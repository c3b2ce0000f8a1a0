import { z } from "zod";
import { archivedMailbox, parseAt } from "./archive-args";
import { CliError, defineCommand } from "./command";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `coffer search <upn> [query] [filters]`: full-text search of an archived mailbox. Different filters
 * combine with AND; a filter given several times matches any of its values (OR).
 */
export const search = defineCommand({
  name: "search",
  summary: "search an archived mailbox (free text and field filters)",
  description:
    "Searches every message ever archived (deleted and moved ones too), newest first; with --at, only the " +
    'messages present at that time. Free text uses web-search syntax (words, "a phrase", OR, -word).\n' +
    "Filters combine with AND; repeat a filter to match any of its values (OR).",
  configure: (cmd) =>
    cmd
      .argument("<upn>", "the mailbox's user principal name")
      .argument("[query...]", "free text")
      .option("--from <text>", "sender address or name contains", collect)
      .option("--to <text>", "a To/Cc/Bcc address or name contains", collect)
      .option("--subject <words>", "words in the subject", collect)
      .option("--body <words>", "words in the body", collect)
      .option("--attachment <name>", "an attachment's file name contains", collect)
      .option("--folder <path>", "in this folder (path like Inbox/Projects, or name)", collect)
      .option("--after <date>", "received at or after")
      .option("--before <date>", "received before")
      .option("--has-attachments", "only messages with attachments")
      .option("--no-attachments", "only messages without attachments")
      .option("--at <iso>", "only messages present at this time")
      .option("--limit <n>", "hits to show", "50"),
  options: z.object({
    from: z.array(z.string()).optional(),
    to: z.array(z.string()).optional(),
    subject: z.array(z.string()).optional(),
    body: z.array(z.string()).optional(),
    attachment: z.array(z.string()).optional(),
    folder: z.array(z.string()).optional(),
    after: z.string().optional(),
    before: z.string().optional(),
    hasAttachments: z.boolean().optional(),
    attachments: z.boolean().optional(),
    at: z.string().optional(),
    limit: z.coerce.number({ error: "--limit must be a number" }).int().min(1).max(500),
  }),
  async run({ args, options, io }) {
    const at = parseAt(options.at);
    const after = parseAt(options.after);
    const before = parseAt(options.before);
    const text = Array.isArray(args[1]) ? (args[1] as string[]).join(" ") : "";
    const { createArchiveReader } = await import("../sync/create-deps");
    const { resolveFolders, searchArchive } = await import("@coffer/db/archive/index");
    const reader = createArchiveReader();
    try {
      const mailbox = await archivedMailbox(reader.db, String(args[0]));
      const folderGraphIds = options.folder?.length
        ? await resolveFolders(reader.db, mailbox.id, options.folder)
        : undefined;
      if (folderGraphIds && folderGraphIds.length === 0) {
        throw new CliError(`no folder ${options.folder!.join(" or ")} in the archive of ${mailbox.upn}`);
      }
      // --has-attachments → true; --no-attachments → commander sets attachments=false.
      const hasAttachments = options.hasAttachments
        ? true
        : options.attachments === false
          ? false
          : undefined;
      const result = await searchArchive(reader.db, {
        mailboxId: mailbox.id,
        ...(text ? { text } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
        ...(options.subject ? { subject: options.subject } : {}),
        ...(options.body ? { body: options.body } : {}),
        ...(options.attachment ? { attachment: options.attachment } : {}),
        ...(folderGraphIds ? { folderGraphIds } : {}),
        ...(after ? { after } : {}),
        ...(before ? { before } : {}),
        ...(hasAttachments !== undefined ? { hasAttachments } : {}),
        ...(at ? { at } : {}),
        limit: options.limit,
      });
      if (!io.json) {
        io.say(`${result.hits.length}${result.nextCursor ? "+" : ""} hits`);
        for (const h of result.hits) {
          const it = h.item;
          const when = it.receivedAt?.toISOString().slice(0, 16).replace("T", " ") ?? "";
          const flag = it.status === "current" ? "" : ` [${it.status}]`;
          io.say(`${it.graphId}  ${when}  ${it.fromAddress ?? ""}  ${mark(h.subject)}${flag}`);
          if (h.snippet.text) io.say(`    ${mark(h.snippet)}`);
        }
      }
      return {
        json: {
          upn: mailbox.upn,
          hits: result.hits.map((h) => ({
            id: h.item.graphId,
            folderGraphId: h.item.folderGraphId,
            receivedAt: h.item.receivedAt,
            from: h.item.fromAddress,
            subject: h.item.subject,
            status: h.item.status,
            sha256: h.item.sha256,
            snippet: h.snippet,
            subjectHighlights: h.subject.highlights,
          })),
          nextCursor: result.nextCursor,
        },
      };
    } finally {
      await reader.close();
    }
  },
});

/** Highlights as «…» for the terminal. */
function mark(t: { text: string; highlights: Array<[number, number]> }): string {
  let out = "";
  let pos = 0;
  for (const [s, e] of t.highlights) {
    out += `${t.text.slice(pos, s)}«${t.text.slice(s, e)}»`;
    pos = e;
  }
  return out + t.text.slice(pos);
}
