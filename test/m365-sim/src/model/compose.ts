import MailComposer from "nodemailer/lib/mail-composer";
import type { MsgOverrides, RecipientJson } from "./mailbox";

/**
 * Builds RFC 5322 bytes for items that have no original MIME (JSON-created messages) or whose MIME
 * must change (draft edits, attachment removal). Exchange also generates MIME on the fly, so any
 * well-formed output is faithful; original header lines are kept where given.
 */

export interface ComposeAttachment {
  name: string;
  contentType: string;
  content: Buffer;
  isInline: boolean;
  contentId?: string;
  /** Attached messages are embedded as message/rfc822 parts. */
  isItem?: boolean;
}

export interface ComposeInput {
  over: MsgOverrides;
  attachments: ComposeAttachment[];
  date: string;
  messageId: string;
  /** Header lines to keep verbatim (from the original MIME): References, In-Reply-To, X-…, Received, … */
  keepHeaders?: Array<{ name: string; value: string }>;
  /** A meeting request's text/calendar alternative. */
  icalEvent?: Buffer;
}

function addr(r: RecipientJson | null | undefined): { name: string; address: string } | undefined {
  const a = r?.emailAddress;
  if (!a?.address) return undefined;
  return { name: a.name ?? "", address: a.address };
}

function addrs(list: RecipientJson[] | undefined): Array<{ name: string; address: string }> {
  return (list ?? []).map(addr).filter((a): a is { name: string; address: string } => a !== undefined);
}

const STRUCTURAL = new Set([
  "content-type",
  "content-transfer-encoding",
  "mime-version",
  "message-id",
  "date",
  "subject",
  "from",
  "sender",
  "to",
  "cc",
  "bcc",
  "reply-to",
  "content-disposition",
  "content-id",
]);

export async function composeMime(input: ComposeInput): Promise<Buffer> {
  const o = input.over;
  const html = o.body && o.body.contentType.toLowerCase() === "html" ? o.body.content : undefined;
  const text = o.body && o.body.contentType.toLowerCase() !== "html" ? o.body.content : undefined;
  const headers: Record<
    string,
    { prepared: true; value: string } | Array<{ prepared: true; value: string }>
  > = {};
  for (const h of input.keepHeaders ?? []) {
    if (STRUCTURAL.has(h.name.toLowerCase())) continue;
    const cur = headers[h.name];
    const v = { prepared: true as const, value: h.value };
    if (cur === undefined) headers[h.name] = v;
    else headers[h.name] = Array.isArray(cur) ? [...cur, v] : [cur, v];
  }
  for (const h of o.internetMessageHeaders ?? []) headers[h.name] = { prepared: true, value: h.value };
  if (o.importance === "high") headers.Importance = { prepared: true, value: "high" };
  else if (o.importance === "low") headers.Importance = { prepared: true, value: "low" };
  const from = addr(o.from ?? null);
  const sender = addr(o.sender ?? null);
  const composer = new MailComposer({
    ...(from ? { from } : {}),
    ...(sender && sender.address !== from?.address ? { sender } : {}),
    to: addrs(o.toRecipients),
    cc: addrs(o.ccRecipients),
    bcc: addrs(o.bccRecipients),
    replyTo: addrs(o.replyTo),
    subject: o.subject ?? "",
    messageId: input.messageId,
    date: new Date(input.date),
    ...(html !== undefined ? { html } : { text: text ?? "" }),
    attachments: input.attachments.map((a) => ({
      filename: a.name,
      content: a.content,
      contentType: a.isItem ? "message/rfc822" : a.contentType,
      ...(a.isInline ? { contentDisposition: "inline" } : {}),
      ...(a.contentId ? { cid: a.contentId.replace(/^<|>$/g, "") } : {}),
    })),
    headers,
    ...(input.icalEvent ? { icalEvent: { content: input.icalEvent.toString("utf8") } } : {}),
    xMailer: false,
  });
  const node = composer.compile();
  node.keepBcc = true;
  return node.build();
}
