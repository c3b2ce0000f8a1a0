import { createHash } from "node:crypto";
import { type Attachment, type ParsedMail, simpleParser } from "mailparser";
import addressparser, { type Address } from "nodemailer/lib/addressparser";

/**
 * Cheap header-level reading of RFC 5322 messages. Graph list and delta responses mostly need header
 * fields, and the simulator must not spend milliseconds per message on a full parse while a benchmark
 * pages through 100,000 items; bodies and attachments go through mailparser only when asked for.
 */

export interface EmailAddress {
  name: string;
  address: string;
}

/** What Graph's message JSON takes from the top-level headers (and the part headers, for hasAttachments). */
export interface HeaderMeta {
  subject: string;
  from?: EmailAddress;
  sender?: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  replyTo: EmailAddress[];
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  date?: string;
  importance: "low" | "normal" | "high";
  readReceipt: boolean;
  deliveryReceipt: boolean;
  hasAttachments: boolean;
  threadIndex?: string;
}

/** Header metadata read from bytes, with the header lines themselves. */
export interface ParsedHeaderMeta extends HeaderMeta {
  headers: Array<{ name: string; value: string }>;
}

/** sha256 (lower-case hex) and length of a message's MIME. */
export interface Digest {
  sha256: string;
  size: number;
}

export function digestOf(bytes: Buffer): Digest {
  return { sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
}

export function headerEnd(buf: Buffer): { end: number; bodyStart: number } {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  return { end: buf.length, bodyStart: buf.length };
}

export function parseHeaderBlock(text: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      const last = out[out.length - 1] as { name: string; value: string };
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    out.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return out;
}

function decodeBytes(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase() === "utf8" ? "utf-8" : charset).decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

/** RFC 2047 encoded-words (`=?utf-8?B?...?=`), with adjacent words joined as the RFC requires. */
export function decodeWords(s: string): string {
  if (!s.includes("=?")) return s;
  return s
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?[^?]*\?=)/g, "$1")
    .replace(
      /=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g,
      (_m, charset: string, enc: string, text: string) => {
        if (enc.toUpperCase() === "B") return decodeBytes(Buffer.from(text, "base64"), charset);
        const bytes: number[] = [];
        for (let i = 0; i < text.length; i++) {
          const c = text[i] as string;
          if (c === "_") bytes.push(0x20);
          else if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
            bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
            i += 2;
          } else bytes.push(c.charCodeAt(0) & 0xff);
        }
        return decodeBytes(Buffer.from(bytes), charset);
      },
    );
}

function flatten(list: Address[]): EmailAddress[] {
  const out: EmailAddress[] = [];
  for (const a of list) {
    if (a.group) out.push(...flatten(a.group));
    else if (a.address || a.name) out.push({ name: decodeWords(a.name ?? ""), address: a.address ?? "" });
  }
  return out;
}

export function parseAddresses(value: string | undefined): EmailAddress[] {
  if (!value) return [];
  try {
    return flatten(addressparser(value) as Address[]);
  } catch {
    return [];
  }
}

function firstMsgId(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const m = /<[^>]+>/.exec(v);
  return m ? m[0] : v.trim() || undefined;
}

/**
 * Whether the message has attachments in Graph's sense (`hasAttachments` ignores inline images).
 * Scans part headers: a part counts if its disposition is `attachment`, or if it is a non-text,
 * non-multipart leaf with a file name and no Content-ID, or an attached message.
 */
export function scanHasAttachments(
  raw: Buffer,
  bodyStart: number,
  topHeaders: Array<{ name: string; value: string }>,
): boolean {
  const ct = topHeaders.find((h) => h.name.toLowerCase() === "content-type")?.value ?? "";
  if (!/^\s*multipart\//i.test(ct))
    return /^\s*attachment/i.test(
      topHeaders.find((h) => h.name.toLowerCase() === "content-disposition")?.value ?? "",
    );
  const text = raw.toString("latin1", bodyStart);
  const re = /(?:^|\n)--[^\r\n]+\r?\n((?:[^\r\n]+\r?\n)+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const hs = parseHeaderBlock(m[1] ?? "");
    const get = (n: string) => hs.find((h) => h.name.toLowerCase() === n)?.value ?? "";
    const disp = get("content-disposition");
    const type = get("content-type");
    if (/^\s*attachment/i.test(disp)) return true;
    if (/^\s*message\/rfc822/i.test(type) && !/^\s*inline/i.test(disp)) return true;
    const named = /\b(file)?name\*?=/i.test(disp) || /\bname\*?=/i.test(type);
    if (named && !/^\s*(text|multipart)\//i.test(type) && !get("content-id") && !/^\s*inline/i.test(disp))
      return true;
  }
  return false;
}

/**
 * Header metadata of a message (or of its start: `hasAttachments` then sees only the parts in it).
 * The bytes are not hashed; see `digestOf`.
 */
export function readHeaderMeta(raw: Buffer): ParsedHeaderMeta {
  const { end, bodyStart } = headerEnd(raw);
  const headers = parseHeaderBlock(raw.toString("utf8", 0, end));
  const get = (n: string) => headers.find((h) => h.name.toLowerCase() === n)?.value;
  const from = parseAddresses(get("from"))[0];
  const sender = parseAddresses(get("sender"))[0] ?? from;
  const prio = (get("importance") ?? get("x-priority") ?? "").toLowerCase();
  const importance: HeaderMeta["importance"] = /high|urgent|^[12]\b/.test(prio)
    ? "high"
    : /low|non-urgent|^[45]\b/.test(prio)
      ? "low"
      : "normal";
  const dateHeader = get("date");
  const dateMs = dateHeader ? Date.parse(dateHeader.replace(/\s*\([^)]*\)\s*$/, "")) : Number.NaN;
  const meta: ParsedHeaderMeta = {
    headers,
    subject: decodeWords(get("subject") ?? ""),
    to: parseAddresses(get("to")),
    cc: parseAddresses(get("cc")),
    bcc: parseAddresses(get("bcc")),
    replyTo: parseAddresses(get("reply-to")),
    references: (get("references") ?? "").match(/<[^>]+>/g) ?? [],
    importance,
    readReceipt: get("disposition-notification-to") !== undefined,
    deliveryReceipt: get("return-receipt-to") !== undefined,
    hasAttachments: scanHasAttachments(raw, bodyStart, headers),
  };
  if (from) meta.from = from;
  if (sender) meta.sender = sender;
  const mid = firstMsgId(get("message-id"));
  if (mid) meta.messageId = mid;
  const irt = firstMsgId(get("in-reply-to"));
  if (irt) meta.inReplyTo = irt;
  if (!Number.isNaN(dateMs)) meta.date = new Date(dateMs).toISOString();
  const ti = get("thread-index");
  if (ti) meta.threadIndex = ti;
  return meta;
}

export interface BodyInfo {
  contentType: "html" | "text";
  content: string;
  preview: string;
  attachments: Attachment[];
}

export async function parseBody(raw: Buffer): Promise<BodyInfo> {
  const parsed: ParsedMail = await simpleParser(raw, {
    skipHtmlToText: false,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    keepCidLinks: true,
  });
  const html = typeof parsed.html === "string" ? parsed.html : undefined;
  const text = parsed.text ?? "";
  const previewSource = text.trim() !== "" ? text : html ? htmlToPlain(html) : "";
  const preview = previewSource.replace(/\s+/g, " ").trim().slice(0, 255);
  return {
    contentType: html !== undefined ? "html" : "text",
    content: html ?? text,
    preview,
    attachments: parsed.attachments,
  };
}

export function htmlToPlain(html: string): string {
  return html
    .replace(/<(style|script|head)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The conversation a message belongs to: the thread root's Message-ID (or its own), hashed. */
export function conversationKey(
  meta: Pick<HeaderMeta, "references" | "inReplyTo" | "messageId" | "subject">,
): string {
  const root =
    meta.references[0] ??
    meta.inReplyTo ??
    meta.messageId ??
    meta.subject.replace(/^((re|fw|fwd|aw|wg)\s*:\s*)+/i, "");
  return createHash("sha1").update(root).digest("hex");
}
