import { Writable } from "node:stream";
import {
  type AddressObject,
  type AttachmentStream,
  type HeaderValue,
  MailParser,
  type MessageText,
} from "mailparser";

/** One mailbox as MIME headers name it. */
export type TMailAddress = { name: string; address: string };

export type TAttachmentInfo = { name: string; size: number; contentType: string; isInline: boolean };

/** What Coffer keeps from a message for listing and search; the original bytes are the archive. */
export type TMailMetadata = {
  subject: string;
  internetMessageId: string | null;
  /** The thread's first Message-ID (References[0] ?? In-Reply-To ?? own Message-ID). */
  conversationId: string | null;
  inReplyTo: string | null;
  from: TMailAddress | null;
  to: TMailAddress[];
  cc: TMailAddress[];
  bcc: TMailAddress[];
  replyTo: TMailAddress[];
  sentAt: Date | null;
  hasAttachments: boolean;
  attachments: TAttachmentInfo[];
  /** Plain text of the body (HTML converted), capped at {@link MAX_BODY_TEXT} characters, for search. */
  bodyText: string;
  isBodyTruncated: boolean;
  /** The message was larger than {@link MAX_PARSE_BYTES}; metadata comes from its beginning. */
  isPartiallyParsed: boolean;
};

export type TMimeAnalysis = {
  metadata: TMailMetadata;
  /** Why metadata extraction failed or is incomplete; the original bytes are archived regardless. */
  parseError: string | null;
};

/** Search needs words, not whole books: tsvector is limited to 1 MB, and snippets need only the start. */
export const MAX_BODY_TEXT = 200_000;
/** Above this, the parser stops getting bytes (the blob store still gets all of them). */
export const MAX_PARSE_BYTES = 64 * 1024 * 1024;
const MAX_ATTACHMENTS_LISTED = 500;
const STANDARD_HEADERS = [
  "from",
  "date",
  "subject",
  "to",
  "cc",
  "message-id",
  "content-type",
  "mime-version",
  "received",
  "return-path",
  "sender",
  "reply-to",
];
const MAX_HTML_TO_TEXT = 2_000_000;

export function emptyMetadata(): TMailMetadata {
  return {
    subject: "",
    internetMessageId: null,
    conversationId: null,
    inReplyTo: null,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    sentAt: null,
    hasAttachments: false,
    attachments: [],
    bodyText: "",
    isBodyTruncated: false,
    isPartiallyParsed: false,
  };
}

/**
 * A streaming MIME analyser (mailparser's MailParser): write the message's bytes into `writable`, end it,
 * and `result` resolves with the metadata. It never rejects: a malformed message resolves with whatever was
 * extracted and a `parseError`, because the archive keeps every message whatever its shape.
 *
 * Attachment contents are drained and counted, never kept, so memory stays bounded by the text parts; the
 * parser stops after {@link MAX_PARSE_BYTES} (a 100 MB message is listed from its first 64 MB).
 * Writes into `writable` never block forever: once the parser failed, the rest is discarded.
 */
export function createMimeAnalyzer(): { writable: Writable; result: Promise<TMimeAnalysis> } {
  const meta = emptyMetadata();
  const errors: string[] = [];
  let bytesIn = 0;
  let isParserDone = false;
  let sawHeaders = false;
  const parser = new MailParser({
    skipTextToHtml: true,
    // Our own HTML-to-words conversion (htmlToSearchText) is enough for the index and far cheaper than
    // mailparser's html-to-text, which renders layout we never show.
    skipHtmlToText: true,
    skipImageLinks: true,
    skipTextLinks: true,
    maxHtmlLengthToParse: MAX_HTML_TO_TEXT,
  });

  const result = new Promise<TMimeAnalysis>((resolve) => {
    const finish = () => {
      if (isParserDone) return;
      isParserDone = true;
      // mailparser reads almost anything; bytes without a single standard header field are not a message,
      // whatever the parser made of them.
      if (!sawHeaders && !errors.length) errors.push("not an RFC 5322 message: no standard header field");
      resolve({ metadata: meta, parseError: errors.length ? errors.join("; ").slice(0, 2000) : null });
    };
    parser.on("headers", (headers: Map<string, HeaderValue>) => {
      sawHeaders = STANDARD_HEADERS.some((h) => headers.has(h));
      readHeaders(headers, meta);
    });
    parser.on("data", (part: AttachmentStream | MessageText) => {
      if (part.type === "attachment") {
        const info: TAttachmentInfo = {
          name: part.filename ?? "",
          size: 0,
          contentType: part.contentType ?? "application/octet-stream",
          isInline: part.contentDisposition === "inline" || part.related === true,
        };
        meta.hasAttachments = meta.hasAttachments || !info.isInline || !!part.filename;
        if (meta.attachments.length < MAX_ATTACHMENTS_LISTED) meta.attachments.push(info);
        // Drain and count; `release()` lets the parser continue with the next part.
        part.content.on("data", (chunk: Buffer) => {
          info.size += chunk.length;
        });
        part.content.on("end", () => part.release());
        part.content.on("error", () => part.release());
      } else if (part.type === "text") {
        // mailparser converts HTML to text only for some layouts (not an HTML part inside multipart/mixed
        // without a text part): fall back to our own conversion so such messages are searchable too.
        const text =
          typeof part.text === "string" && part.text.trim()
            ? part.text
            : typeof part.html === "string"
              ? htmlToSearchText(part.html)
              : "";
        meta.isBodyTruncated = text.length > MAX_BODY_TEXT;
        meta.bodyText = text.slice(0, MAX_BODY_TEXT);
      }
    });
    parser.on("error", (e: unknown) => {
      errors.push(e instanceof Error ? e.message : String(e));
      // mailparser reports some problems (e.g. HTML too long) and goes on; others stop it. Either way the
      // writable below keeps accepting bytes, so the archive write never stalls on the parser.
    });
    parser.on("end", finish);
    parser.on("close", finish);
  });

  const writable = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      if (isParserDone || bytesIn >= MAX_PARSE_BYTES) return done();
      const room = MAX_PARSE_BYTES - bytesIn;
      const slice = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytesIn += slice.length;
      if (bytesIn >= MAX_PARSE_BYTES) meta.isPartiallyParsed = true;
      try {
        if (parser.write(slice)) return done();
        // Respect the parser's backpressure, unless it dies meanwhile.
        const onDrain = () => {
          parser.off("close", onDrain);
          done();
        };
        parser.once("drain", onDrain);
        parser.once("close", onDrain);
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
        done();
      }
    },
    final(done) {
      if (!isParserDone) {
        try {
          parser.end();
        } catch (e) {
          errors.push(e instanceof Error ? e.message : String(e));
        }
      }
      done();
    },
    destroy(err, done) {
      // Only a failed source aborts the parser; a normal end lets it finish (autoDestroy runs after final).
      if (err && !isParserDone) {
        errors.push(`source failed: ${err.message}`);
        parser.destroy();
      }
      done(err);
    },
  });
  // Drain the parser's object output ('data' handlers above) even if nobody else reads it.
  parser.resume();
  return { writable, result };
}

function readHeaders(headers: Map<string, HeaderValue>, meta: TMailMetadata): void {
  const subject = headers.get("subject");
  if (typeof subject === "string") meta.subject = subject;
  const messageId = headers.get("message-id");
  if (typeof messageId === "string") meta.internetMessageId = messageId.trim();
  const inReplyTo = headers.get("in-reply-to");
  if (typeof inReplyTo === "string") meta.inReplyTo = inReplyTo.trim();
  const refs = headers.get("references");
  const firstRef = Array.isArray(refs)
    ? refs[0]
    : typeof refs === "string"
      ? refs.split(/\s+/)[0]
      : undefined;
  meta.conversationId =
    (typeof firstRef === "string" && firstRef.trim()) || meta.inReplyTo || meta.internetMessageId || null;
  const date = headers.get("date");
  if (date instanceof Date && !Number.isNaN(date.getTime())) meta.sentAt = date;
  meta.from = addresses(headers.get("from"))[0] ?? null;
  meta.to = addresses(headers.get("to"));
  meta.cc = addresses(headers.get("cc"));
  meta.bcc = addresses(headers.get("bcc"));
  meta.replyTo = addresses(headers.get("reply-to"));
}

function isAddressObject(v: unknown): v is AddressObject {
  return !!v && typeof v === "object" && Array.isArray((v as AddressObject).value);
}

/** Flattens address headers (several headers of one name, groups) into name + lower-case address. */
function addresses(v: HeaderValue | undefined): TMailAddress[] {
  const objs = Array.isArray(v) ? v : [v];
  const out: TMailAddress[] = [];
  const visit = (list: AddressObject["value"]) => {
    for (const a of list) {
      if (a.group) visit(a.group);
      else if (a.address || a.name)
        out.push({ name: a.name ?? "", address: (a.address ?? "").toLowerCase() });
    }
  };
  for (const o of objs) if (isAddressObject(o)) visit(o.value);
  return out;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/**
 * HTML to plain words for the search index (not for display): drops scripts, styles and tags, keeps
 * line breaks of block elements, decodes the common entities.
 */
export function htmlToSearchText(html: string): string {
  return html
    .slice(0, MAX_BODY_TEXT * 4)
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code =
          e[1] === "x" || e[1] === "X" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : " ";
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t\r\f\v]+/g, " ")
    .replace(/\n\s*\n+/g, "\n")
    .trim();
}
