/// <reference path="./vendor-modules.d.ts" />
import { isAscii } from "node:buffer";
import { type Transform, Writable } from "node:stream";
import { type MimeNode, Splitter, type SplitterChunk } from "@zone-eu/mailsplit";
import encodingJapanese from "encoding-japanese";
import iconv from "iconv-lite";
import libmime from "libmime";
import addressparser from "nodemailer/lib/addressparser";
import punycode from "punycode.js";

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
/** Header fields of which at least one must be there (non-empty) for the bytes to count as a message. */
const STANDARD_HEADERS = new Set([
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
]);
/**
 * Encoded bytes of body text kept per text part. Search keeps {@link MAX_BODY_TEXT} characters of text
 * and reads 4× that of HTML; even at 12 encoded bytes per character (4-byte UTF-8, quoted-printable) 16 MB
 * is more than enough, and it bounds memory for a huge text part.
 */
const MAX_TEXT_PART_BYTES = 16 * 1024 * 1024;
/** A quoted-printable attachment without a safe line break to count up to is counted in one go above this. */
const MAX_QP_CARRY = 4 * 1024 * 1024;
const TEXT_TYPES = new Set(["text/plain", "text/html", "message/delivery-status"]);

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
 * A streaming MIME analyser: write the message's bytes into `writable`, end it, and `result` resolves with
 * the metadata. It never rejects: a malformed message resolves with whatever was extracted and a
 * `parseError`, because the archive keeps every message whatever its shape.
 *
 * It is mailparser's own pipeline without MailParser: mailsplit's Splitter gives the MIME tree with raw
 * body chunks, libmime decodes headers, nodemailer's addressparser reads addresses, and the rules below
 * (which part is an attachment, which text becomes the body, how headers are read) are MailParser's, so
 * the metadata is the same. What it skips is the costly part: attachment contents are never decoded,
 * only their decoded size is computed from the encoded bytes; only the text parts are decoded.
 *
 * Where it deliberately differs from MailParser (checked on the 299 fixtures and 2,000 generated messages;
 * `fixtures.golden.txt` pins the result): a Date that is not a date gives null, not the time of parsing
 * (also for an embedded message's Date line in the body text); a part with an empty type ("Content-Type: ;
 * name=x.jpg") gets the type guessed from its file name instead of `false`; after a splitter limit error
 * the body text gathered so far is kept.
 *
 * Memory stays bounded (text parts are kept up to {@link MAX_TEXT_PART_BYTES} each, attachments not at
 * all), and the splitter stops after {@link MAX_PARSE_BYTES} (a 100 MB message is listed from its first
 * 64 MB). Writes into `writable` never block forever: once the splitter failed, the rest is discarded.
 */
/** A whole message in memory, analysed in this thread (see analyzer-pool.ts for the pooled form). */
export function analyzeBytes(bytes: Buffer): Promise<TMimeAnalysis> {
  const a = createMimeAnalyzer();
  a.writable.end(bytes);
  return a.result;
}

export type TMimeAnalyzerOptions = {
  /**
   * Bodies from this many bytes on are handed to the collector past the splitter (see SplitterFeeder).
   * Tests set 1 (every body) and Infinity (none) to show that both give the same result.
   */
  longBody?: number;
};

export function createMimeAnalyzer(options: TMimeAnalyzerOptions = {}): {
  writable: Writable;
  result: Promise<TMimeAnalysis>;
} {
  const meta = emptyMetadata();
  const errors: string[] = [];
  let bytesIn = 0;
  let isDone = false;
  const collector = new MimeCollector(meta);
  const splitter = new Splitter();
  // mailsplit's typings declare only its 'data' event; the stream events are Transform's.
  const stream = splitter as unknown as Transform;

  const result = new Promise<TMimeAnalysis>((resolve) => {
    const finish = () => {
      if (isDone) return;
      isDone = true;
      try {
        collector.finish();
      } catch (e) {
        errors.push(errorMessage(e));
      }
      // Almost any bytes split into "a message"; bytes without a single standard header field are not one.
      if (!collector.sawHeaders && !errors.length)
        errors.push("not an RFC 5322 message: no standard header field");
      resolve({ metadata: meta, parseError: errors.length ? errors.join("; ").slice(0, 2000) : null });
    };
    splitter.on("data", (chunk: SplitterChunk) => {
      if (isDone) return;
      try {
        collector.add(chunk);
      } catch (e) {
        // Our reading of a part failed (not the split): report it and keep what is there.
        errors.push(errorMessage(e));
        finish();
        splitter.destroy();
      }
    });
    stream.on("error", (e: unknown) => {
      // Limits (header size, number of parts) stop the splitter; what was read so far is kept.
      errors.push(errorMessage(e));
      finish();
    });
    stream.on("end", finish);
    stream.on("close", finish);
  });

  const feeder = new SplitterFeeder(splitter, collector, () => isDone, options.longBody ?? LONG_BODY);
  const writable = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, done) {
      if (isDone || bytesIn >= MAX_PARSE_BYTES) return done();
      const room = MAX_PARSE_BYTES - bytesIn;
      const slice = chunk.length > room ? chunk.subarray(0, room) : chunk;
      bytesIn += slice.length;
      if (bytesIn >= MAX_PARSE_BYTES) meta.isPartiallyParsed = true;
      // The feeder waits for the splitter to take each piece, so its backpressure is respected.
      feeder.feed(slice).then(
        () => done(),
        (e: unknown) => {
          errors.push(errorMessage(e));
          done();
        },
      );
    },
    final(done) {
      const end = () => {
        if (!isDone) {
          try {
            splitter.end();
          } catch (e) {
            errors.push(errorMessage(e));
          }
        }
        done();
      };
      feeder.flush().then(end, (e: unknown) => {
        errors.push(errorMessage(e));
        end();
      });
    },
    destroy(err, done) {
      // Only a failed source aborts the splitter; a normal end lets it finish (autoDestroy runs after final).
      if (err && !isDone) {
        errors.push(`source failed: ${err.message}`);
        splitter.destroy();
      }
      done(err);
    },
  });
  return { writable, result };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The parts of mailsplit's Splitter (5.4.19, pinned) the feeder reads: its parser state, the node being
 * read, and the start of a line it holds back until the line ends.
 */
type TSplitterInternals = {
  state: number;
  node: MimeNode | null;
  lineLength: number;
  lineChunks: Buffer[];
  pendingLineTruncated: boolean;
  hasFailed: boolean;
  readableLength: number;
  destroyed: boolean;
  takePendingLine(): Buffer | false;
  write(chunk: Buffer, callback: (err?: Error | null) => void): boolean;
  once(event: "close", listener: () => void): unknown;
  off(event: "close", listener: () => void): unknown;
};
/** mailsplit's state while it reads a body (its HEAD is 1). */
const SPLITTER_BODY = 2;
/** Bodies from this size on are handed over past the splitter (about 50 lines). */
const LONG_BODY = 4096;
/** The longest incomplete line the feeder keeps between writes (mailsplit flushes its own at 64 KB too). */
const MAX_CARRY = 64 * 1024;

/**
 * Feeds the splitter, but hands the body lines of leaf parts (text and attachments) straight to the
 * collector. mailsplit looks at every line of a body on its own (a JavaScript byte loop to find the line
 * end, a Buffer per line, a boundary test), which was most of the analysis time: a 1 MB attachment is
 * 13,000 lines. Inside a leaf body only a line starting with "--" (or "\r--", see Splitter.checkBoundary)
 * can end the part, so the lines before the next such line are found with Buffer.indexOf and delivered in
 * one piece, but for the last line with content and any empty lines after it: those and the candidate line
 * go to the splitter, which decides as it always does (a delimiter: the line break before it is trimmed;
 * "-- " of a signature: body, in order).
 *
 * The splitter works asynchronously, so each piece is written and waited for before the next decision,
 * and a decision is taken only when the splitter has delivered everything (nothing buffered, no partial
 * line held back other than a bare line break of the body, which is taken back and delivered in order).
 * Everything else (headers, multipart preambles, a line longer than mailsplit keeps) goes through the
 * splitter unchanged. The golden file pins the result, and a test compares it with the splitter alone.
 */
class SplitterFeeder {
  /** Bytes from the start of an incomplete line, kept for the next write. */
  private carry: Buffer | null = null;
  private readonly s: TSplitterInternals;

  constructor(
    splitter: Splitter,
    private readonly collector: MimeCollector,
    private readonly isStopped: () => boolean,
    private readonly longBody: number,
  ) {
    this.s = splitter as unknown as TSplitterInternals;
  }

  async feed(data: Buffer): Promise<void> {
    const buf = this.carry ? Buffer.concat([this.carry, data]) : data;
    this.carry = null;
    let off = 0;
    while (off < buf.length && !this.isStopped()) {
      if (!this.isInLeafBody()) {
        // Everything up to the next long body in one write: a write and its wait cost more than the
        // splitter's reading of a few dozen lines, so short bodies (most of a usual message) go through it.
        const stop = this.nextLongBody(buf, off);
        const end = stop < 0 ? buf.length : stop;
        await this.write(buf.subarray(off, end));
        off = end;
        continue;
      }
      // A line start (everything before `off` went to the splitter, ending with a line break).
      const candidate = candidateLine(buf, off);
      const linesEnd = candidate >= 0 ? candidate : buf.lastIndexOf(0x0a) + 1;
      let from = off;
      // Deliver the complete lines before the last one with content: that one and the empty lines after it
      // go to the splitter, so the line break before a delimiter is trimmed there, as in one piece (mailsplit
      // reports a body of only line breaks untrimmed, which a line break alone before a delimiter would be).
      const kept = linesEnd > off ? lastContentLine(buf, off, linesEnd) : -1;
      if (kept >= 0) {
        const held = kept > off ? this.s.takePendingLine() : false;
        if (kept > off) {
          const lines = buf.subarray(off, kept);
          this.collector.addBody(held ? Buffer.concat([held, lines]) : lines);
        }
        from = kept;
      }
      if (candidate < 0) {
        const stop = Math.max(linesEnd, off);
        // An incomplete line is kept for the next write, unless it is long: then the splitter takes it
        // (and applies its own limits), so a body without line breaks is never gathered here.
        const isTailLong = buf.length - stop > MAX_CARRY;
        const end = isTailLong ? buf.length : stop;
        if (end > from) await this.write(buf.subarray(from, end));
        if (!isTailLong && stop < buf.length) this.carry = Buffer.from(buf.subarray(stop));
        return;
      }
      const lineEnd = endOfLine(buf, candidate);
      if (lineEnd < 0) {
        const isTailLong = buf.length - candidate > MAX_CARRY;
        const end = isTailLong ? buf.length : candidate;
        if (end > from) await this.write(buf.subarray(from, end));
        if (!isTailLong) this.carry = Buffer.from(buf.subarray(candidate));
        return;
      }
      await this.write(buf.subarray(from, lineEnd));
      off = lineEnd;
    }
  }

  /**
   * Where a body of at least `longBody` bytes starts (the end of the header block before it), at or
   * after `from`; -1 if none does in `buf`. Header blocks end after the splitter's current one (when it is
   * reading headers) and after each line that may be a delimiter.
   */
  private nextLongBody(buf: Buffer, from: number): number {
    let headEnd = this.s.state === SPLITTER_BODY ? -1 : endOfHead(buf, from);
    let candidate = this.s.state === SPLITTER_BODY ? candidateLine(buf, from) : -1;
    for (;;) {
      if (headEnd >= 0) {
        const next = candidateLine(buf, headEnd);
        if ((next < 0 ? buf.length : next) - headEnd >= this.longBody) return headEnd;
        candidate = next;
      }
      const lineEnd = endOfLine(buf, candidate);
      if (lineEnd < 0) return -1;
      headEnd = endOfHead(buf, lineEnd);
      if (headEnd < 0) return -1;
    }
  }

  /** The incomplete last line, at the end of the input. */
  async flush(): Promise<void> {
    const rest = this.carry;
    this.carry = null;
    if (rest && !this.isStopped()) await this.write(rest);
  }

  private isInLeafBody(): boolean {
    const s = this.s;
    if (s.state !== SPLITTER_BODY || !s.node || s.node.multipart || s.hasFailed || s.readableLength > 0)
      return false;
    if (s.pendingLineTruncated || !this.collector.takesBodyOf(s.node)) return false;
    if (s.lineLength === 0) return true;
    // Only the line break that ended the last body line (held back in case a delimiter follows).
    const held = s.lineChunks.length === 1 ? s.lineChunks[0]! : Buffer.concat(s.lineChunks);
    return (
      (held.length === 1 && held[0] === 0x0a) || (held.length === 2 && held[0] === 0x0d && held[1] === 0x0a)
    );
  }

  /** Writes to the splitter and waits until it has taken the bytes (or was destroyed meanwhile). */
  private write(bytes: Buffer): Promise<void> {
    const s = this.s;
    if (s.destroyed || bytes.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onClose = () => resolve();
      s.once("close", onClose);
      s.write(bytes, () => {
        s.off("close", onClose);
        resolve();
      });
    });
  }
}

/**
 * The start of the last line in [from, end) (both line starts) that has content besides its line break,
 * or -1 when all of them are empty.
 */
function lastContentLine(buf: Buffer, from: number, end: number): number {
  let lineEnd = end;
  while (lineEnd > from) {
    const prevLf = lineEnd - 2 >= from ? buf.lastIndexOf(0x0a, lineEnd - 2) : -1;
    const start = prevLf >= from ? prevLf + 1 : from;
    const breakLength = lineEnd - 2 >= start && buf[lineEnd - 2] === 0x0d ? 2 : 1;
    if (lineEnd - start > breakLength) return start;
    lineEnd = start;
  }
  return -1;
}

/** The start of the first line at or after `from` (a line start) that could be a delimiter, or -1. */
function candidateLine(buf: Buffer, from: number): number {
  if (isDashStart(buf, from)) return from;
  const dash = buf.indexOf(LF_DASH_DASH, from);
  const crDash = buf.indexOf(LF_CR_DASH_DASH, from);
  if (dash < 0 && crDash < 0) return -1;
  return (dash < 0 ? crDash : crDash < 0 ? dash : Math.min(dash, crDash)) + 1;
}

const LF_DASH_DASH = Buffer.from("\n--", "latin1");
const LF_CR_DASH_DASH = Buffer.from("\n\r--", "latin1");

function isDashStart(buf: Buffer, i: number): boolean {
  const at = buf[i] === 0x0d ? i + 1 : i;
  return buf[at] === 0x2d && buf[at + 1] === 0x2d;
}

/** The index after the line break that ends the line starting at `start`; -1 if it does not end in `buf`. */
function endOfLine(buf: Buffer, start: number): number {
  if (start < 0) return -1;
  const lf = buf.indexOf(0x0a, start);
  return lf < 0 ? -1 : lf + 1;
}

/** The index after the empty line that ends a header block starting at or before `from`; -1 if not in `buf`. */
function endOfHead(buf: Buffer, from: number): number {
  if (buf[from] === 0x0a) return from + 1;
  if (buf[from] === 0x0d && buf[from + 1] === 0x0a) return from + 2;
  const lf = buf.indexOf("\n\n", from, "latin1");
  const crlf = buf.indexOf("\n\r\n", from, "latin1");
  if (lf < 0 && crlf < 0) return -1;
  return lf < 0 ? crlf + 3 : crlf < 0 ? lf + 2 : Math.min(lf + 2, crlf + 3);
}

/** Where the body bytes of the current leaf part go: counted (attachment) or kept (body text). */
interface TPartSink {
  add(chunk: Buffer): void;
  end(): void;
}

type TTextEntry = {
  kind: "text" | "html";
  /** Below a multipart/alternative (MailParser then leaves an HTML part out of the text). */
  isAlternative: boolean;
  isRoot: boolean;
  part: TextPart;
};
type TMetaEntry = { kind: "meta"; headers: THeaderValues };

/**
 * Follows the splitter's output: headers of the root (and of embedded messages), an entry per attachment,
 * the raw bytes of the text parts. `finish()` then assembles the body text as MailParser does.
 */
class MimeCollector {
  sawHeaders = false;
  private sink: TPartSink | null = null;
  /** The leaf part whose body `sink` takes. */
  private sinkNode: MimeNode | null = null;
  /** Text parts and embedded-message headers in document order (MailParser's tree walk order). */
  private readonly entries: (TTextEntry | TMetaEntry)[] = [];
  private hasText = false;
  private hasHtml = false;

  constructor(private readonly meta: TMailMetadata) {}

  add(chunk: SplitterChunk): void {
    if (chunk.type === "node") this.onNode(chunk);
    else if (chunk.type === "body") this.sink?.add(chunk.value);
    // A multipart's preamble/epilogue (or a boundary) ends the current leaf, as in MailParser.
    else this.endSink();
  }

  private endSink(): void {
    this.sink?.end();
    this.sink = null;
    this.sinkNode = null;
  }

  /** Whether `node`'s body is being taken (a leaf part: text kept or attachment counted). */
  takesBodyOf(node: MimeNode): boolean {
    return this.sink !== null && this.sinkNode === node;
  }

  /** Body bytes of the current leaf that did not go through the splitter (see SplitterFeeder). */
  addBody(bytes: Buffer): void {
    this.sink?.add(bytes);
  }

  private onNode(node: MimeNode): void {
    this.endSink();
    const headers = node.headers || null;
    if (node.root) {
      const values = readHeaders(headers ? headers.getList() : [], true);
      this.sawHeaders = values.hasStandard;
      applyHeaders(values, this.meta);
    }
    const contentType = node.contentType || (node.root ? "text/plain" : "");
    // An embedded message's own node only announces the message that follows.
    if (contentType === "message/rfc822" && node.messageNode) return;
    if (node.parentNode && node.parentNode.contentType === "message/rfc822") {
      // MailParser writes the embedded message's From/Subject/Date/To/Cc/Bcc into the body text.
      this.entries.push({ kind: "meta", headers: readHeaders(headers ? headers.getList() : [], false) });
    }
    if (contentType.startsWith("multipart/")) return;

    let disposition = node.disposition || "";
    if (disposition && disposition !== "attachment" && disposition !== "inline") disposition = "attachment";
    if (!disposition) disposition = TEXT_TYPES.has(contentType) ? "inline" : "attachment";
    const isAttachment = !TEXT_TYPES.has(contentType) || disposition !== "inline";

    if (isAttachment) {
      const filename = node.filename || "";
      const info: TAttachmentInfo = {
        name: filename,
        size: 0,
        // MailParser guesses a generic type from the file name. A part with an empty type ("Content-Type: ;
        // name=x.jpg") gets the same guess (MailParser listed `false`), as mailsplit does when the field is missing.
        contentType:
          (contentType === "application/octet-stream" || !contentType) && filename
            ? libmime.detectMimeType(filename) || "application/octet-stream"
            : contentType || "application/octet-stream",
        isInline: node.disposition === "inline" || (hasContentId(headers) && isInRelated(node)),
      };
      this.meta.hasAttachments = this.meta.hasAttachments || !info.isInline || !!filename;
      if (this.meta.attachments.length < MAX_ATTACHMENTS_LISTED) this.meta.attachments.push(info);
      this.sink = sizeCounter(node.encoding || "", info);
      this.sinkNode = node;
      return;
    }
    // Inline text: text/plain, text/html, message/delivery-status (read as text, as MailParser does).
    const part = new TextPart(node);
    if (contentType === "text/html") {
      this.hasHtml = true;
      this.entries.push({ kind: "html", isAlternative: isInAlternative(node), isRoot: node.root, part });
    } else {
      this.hasText = true;
      this.entries.push({ kind: "text", isAlternative: isInAlternative(node), isRoot: node.root, part });
    }
    this.sink = part;
    this.sinkNode = node;
  }

  /** MailParser's getTextContent(), with its HTML-to-text and text-to-HTML conversions switched off. */
  finish(): void {
    this.endSink();
    const text: string[] = [];
    const html: (string | TextPart)[] = [];
    for (const e of this.entries) {
      if (e.kind === "meta") {
        if (this.hasHtml) html.push(metaHtml(e.headers));
        if (this.hasText) text.push(metaText(e.headers));
        continue;
      }
      if (e.kind === "text") {
        const content = e.part.text();
        if (!content) continue;
        text.push(content);
        if (!e.isAlternative && this.hasHtml) html.push("");
        continue;
      }
      // HTML is decoded only when it is needed: here only to know whether the part is empty.
      if ((!e.isAlternative && this.hasText) || (e.isRoot && !this.hasText)) {
        if (!e.part.text()) continue;
        text.push("");
      } else if (e.part.isEmptyRaw()) continue;
      html.push(e.part);
    }
    const joined = text.join("\n");
    // Empty HTML entries only add line breaks, which htmlToSearchText collapses anyway.
    const body = joined.trim()
      ? joined
      : htmlToSearchText(html.map((p) => (typeof p === "string" ? p : p.text())).join("<br/>\n"));
    this.meta.isBodyTruncated = body.length > MAX_BODY_TEXT;
    this.meta.bodyText = body.slice(0, MAX_BODY_TEXT);
  }
}

/** The bytes of one inline text part, decoded (transfer encoding, format=flowed, charset) on demand. */
class TextPart implements TPartSink {
  private chunks: Buffer[] = [];
  private size = 0;
  private decoded: string | null = null;

  constructor(private readonly node: MimeNode) {}

  add(chunk: Buffer): void {
    if (this.size >= MAX_TEXT_PART_BYTES) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  end(): void {}

  isEmptyRaw(): boolean {
    return this.size === 0;
  }

  text(): string {
    if (this.decoded === null) {
      this.decoded = decodeText(Buffer.concat(this.chunks, this.size), this.node);
      this.chunks = [];
    }
    return this.decoded;
  }
}

/** As MailParser reads a text part: transfer decoding, then format=flowed, then the charset. */
function decodeText(raw: Buffer, node: MimeNode): string {
  let bytes =
    node.encoding === "base64"
      ? decodeBase64(raw)
      : node.encoding === "quoted-printable"
        ? decodeQuotedPrintable(raw)
        : raw;
  if (node.flowed) bytes = Buffer.from(libmime.decodeFlowed(bytes.toString("binary"), node.delSp), "binary");
  const charset = node.charset || "utf-8";
  if (!["ascii", "usascii", "utf8"].includes(charset.toLowerCase().replace(/[^a-z0-9]+/g, ""))) {
    bytes = decodeCharset(bytes, libmime.normalizeCharset(charset));
  }
  return bytes.toString().replace(/\r?\n/g, "\n");
}

function decodeCharset(bytes: Buffer, charset: string): Buffer {
  if (/^jis|^iso-?2022-?jp/i.test(charset)) {
    // iconv-lite has no ISO-2022-JP; MailParser keeps the bytes when encoding-japanese fails too.
    try {
      const out: unknown = encodingJapanese.convert(bytes, {
        to: "UNICODE",
        from: charset as encodingJapanese.Encoding,
        type: "string",
      });
      return typeof out === "string" ? Buffer.from(out) : bytes;
    } catch {
      return bytes;
    }
  }
  // An unknown charset leaves the bytes as they are (read as UTF-8), as in MailParser.
  if (!iconv.encodingExists(charset)) return bytes;
  return Buffer.from(iconv.decode(bytes, charset));
}

/** libbase64's decoder on the whole input: other characters dropped, each padded segment decoded on its own. */
function decodeBase64(raw: Buffer): Buffer {
  // 'ascii' drops the high bit, as libbase64 reads its input.
  let s = raw.toString("ascii");
  if (/[^a-zA-Z0-9+/=]/.test(s)) s = s.replace(/[^a-zA-Z0-9+/=]/g, "");
  if (!s.includes("=")) return Buffer.from(s, "base64");
  const parts: Buffer[] = [];
  for (const segment of s.split(/=+/)) if (segment) parts.push(Buffer.from(segment, "base64"));
  return Buffer.concat(parts);
}

/** Value of a hex digit by byte, -1 for anything else. */
const HEX_VALUE = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let d = 0; d < 16; d++) {
    t["0123456789abcdef".charCodeAt(d)] = d;
    t["0123456789ABCDEF".charCodeAt(d)] = d;
  }
  return t;
})();

/**
 * libqp.decode, byte for byte, without its per-character string work: blanks before line ends dropped and
 * soft line breaks removed by regular expressions, then a byte loop turns each "=XX" into its byte.
 */
function decodeQuotedPrintable(raw: Buffer): Buffer {
  const s = raw
    .toString("latin1")
    .replace(/[\t ]+$/gm, "")
    .replace(/=(?:\r?\n|$)/g, "");
  const src = Buffer.from(s, "latin1");
  const out = Buffer.allocUnsafe(src.length);
  let k = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x3d && i + 2 < src.length) {
      const hi = HEX_VALUE[src[i + 1]!]!;
      const lo = HEX_VALUE[src[i + 2]!]!;
      if (hi >= 0 && lo >= 0) {
        out[k++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[k++] = c;
  }
  return out.subarray(0, k);
}

/** 0: not base64 (skipped), 1: base64 digit, 2: padding. Indexed by the byte without its high bit. */
const B64_CLASS = (() => {
  const t = new Uint8Array(256);
  const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let b = 0; b < 256; b++) {
    const c = String.fromCharCode(b & 0x7f);
    t[b] = digits.includes(c) ? 1 : c === "=" ? 2 : 0;
  }
  return t;
})();

/** Counts an attachment's decoded size from its encoded bytes, as its decoder would produce it. */
function sizeCounter(encoding: string, info: TAttachmentInfo): TPartSink {
  if (encoding === "base64") return base64Counter(info);
  if (encoding === "quoted-printable") return qpCounter(info);
  return {
    add(chunk) {
      info.size += chunk.length;
    },
    end() {},
  };
}

/**
 * libbase64's decoded length: base64 digits are counted (everything else is skipped), and each run of
 * digits between paddings decodes to floor(3n/4) bytes. Usual input (ASCII lines, padding only at the end)
 * is counted natively; anything unusual goes through a byte loop.
 */
function base64Counter(info: TAttachmentInfo): TPartSink {
  let closed = 0;
  let run = 0;
  const countSlowly = (chunk: Buffer, from: number) => {
    for (let i = from; i < chunk.length; i++) {
      const k = B64_CLASS[chunk[i]!];
      if (k === 1) run++;
      else if (k === 2 && run) {
        closed += Math.floor((run * 3) / 4);
        run = 0;
      }
    }
  };
  return {
    add(chunk) {
      const pad = chunk.indexOf(0x3d);
      const end = pad < 0 ? chunk.length : pad;
      const digits =
        end > 0 ? countDigitsNatively(end === chunk.length ? chunk : chunk.subarray(0, end)) : -1;
      if (digits >= 0) {
        run += digits;
        if (end < chunk.length) countSlowly(chunk, end);
      } else countSlowly(chunk, 0);
      info.size = closed + Math.floor((run * 3) / 4);
    },
    end() {},
  };
}

/**
 * The number of base64 digits in padding-free bytes, or -1 when it cannot be told natively. The line
 * breaks are counted (every byte subtracted is a CR or LF, so the result can only be too high), then Node's
 * own decoder, which skips what is not a digit as libbase64 does, proves there was nothing else: any other
 * skipped byte would shorten its output, except a single one when the count is 1 mod 4, which is left to
 * the loop. Bytes libbase64 reads differently ('-', '_' and 8-bit bytes, which it maps to 7 bits) are left
 * to the loop too.
 */
function countDigitsNatively(bytes: Buffer): number {
  if (!isAscii(bytes) || bytes.indexOf(0x2d) >= 0 || bytes.indexOf(0x5f) >= 0) return -1;
  const digits = bytes.length - countLineBreaks(bytes);
  if (digits % 4 === 1) return -1;
  const room = Math.ceil((bytes.length * 3) / 4) + 3;
  if (decodeScratch.length < room)
    decodeScratch = Buffer.allocUnsafe(Math.max(room, decodeScratch.length * 2));
  const decoded = decodeScratch.write(bytes.toString("latin1"), 0, "base64");
  return decoded === Math.floor((digits * 3) / 4) ? digits : -1;
}

/** Where base64 digits are decoded only to be counted (never read), shared by all analysers. */
let decodeScratch = Buffer.allocUnsafe(256 * 1024);

/**
 * CR and LF bytes that end lines. Base64 comes in lines of one length, so after the first two line feeds
 * the next ones are checked where they should be; from an irregular line on, indexOf finds the rest.
 */
function countLineBreaks(bytes: Buffer): number {
  const len = bytes.length;
  const lineEnd = (lf: number) => (lf > 0 && bytes[lf - 1] === 0x0d ? 2 : 1);
  const first = bytes.indexOf(0x0a);
  if (first < 0) return 0;
  let breaks = lineEnd(first);
  const second = bytes.indexOf(0x0a, first + 1);
  if (second < 0) return breaks;
  const step = second - first;
  let pos = second;
  while (pos < len && bytes[pos] === 0x0a) {
    breaks += lineEnd(pos);
    pos += step;
  }
  for (let lf = bytes.indexOf(0x0a, pos - step + 1); lf >= 0; lf = bytes.indexOf(0x0a, lf + 1))
    breaks += lineEnd(lf);
  return breaks;
}

/** libqp.decode(all bytes).length, counted piecewise so a large attachment is never held. */
function qpDecodedLength(s: string): number {
  const t = s.replace(/[\t ]+$/gm, "").replace(/=(?:\r?\n|$)/g, "");
  const escapes = t.match(/=[\da-fA-F]{2}/g);
  return t.length - (escapes ? escapes.length * 2 : 0);
}

const isHex = (c: string | undefined) => c !== undefined && /^[\da-fA-F]$/.test(c);

/**
 * Whether counting may stop after the line break at `nl`: the line is a hard break, or a soft break
 * whose remaining text cannot start an "=XX" escape with the next line's first characters.
 */
function isSafeQpSplit(s: string, nl: number): boolean {
  let k = nl - 1;
  while (s[k] === " " || s[k] === "\t") k--;
  if (s[k] === "\r") {
    k--;
    while (s[k] === " " || s[k] === "\t") k--;
  }
  if (s[k] !== "=") return true;
  return !(s[k - 1] === "=" || (s[k - 2] === "=" && isHex(s[k - 1])));
}

function qpCounter(info: TAttachmentInfo): TPartSink {
  let carry = "";
  let counted = 0;
  return {
    add(chunk) {
      const s = carry + chunk.toString("binary");
      let nl = s.lastIndexOf("\n");
      while (nl >= 0 && !isSafeQpSplit(s, nl)) nl = s.lastIndexOf("\n", nl - 1);
      if (nl < 0 && s.length > MAX_QP_CARRY) nl = s.length - 1;
      if (nl < 0) {
        carry = s;
        return;
      }
      counted += qpDecodedLength(s.slice(0, nl + 1));
      carry = s.slice(nl + 1);
      info.size = counted;
    },
    end() {
      if (carry) counted += qpDecodedLength(carry);
      carry = "";
      info.size = counted;
    },
  };
}

type THeaders = NonNullable<MimeNode["headers"]>;

function hasContentId(headers: THeaders | null): boolean {
  if (!headers) return false;
  return headers.getList().some((l) => l.key === "content-id" && headerValue(l.line) !== "");
}

function isInRelated(node: MimeNode): boolean {
  for (let p = node.parentNode; p; p = p.parentNode) if (p.contentType === "multipart/related") return true;
  return false;
}

function isInAlternative(node: MimeNode): boolean {
  for (let p = node.parentNode; p; p = p.parentNode)
    if (p.contentType === "multipart/alternative") return true;
  return false;
}

/** A header's value as MailParser reads it: unfolded, trimmed, raw 8-bit bytes taken as UTF-8. */
function headerValue(line: string): string {
  const value = (libmime.decodeHeader(line).value || "").toString().trim();
  return Buffer.from(value, "binary").toString();
}

function decodeWords(value: string): string {
  // Without an encoded-word (or libmime's internal join marker) libmime returns the text unchanged.
  if (!value.includes("=?") && !value.includes("\x00JOIN\x00")) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function messageIdFormat(value: string): string | null {
  if (!value.length) return null;
  let v = value;
  if (v.charAt(0) !== "<") v = `<${v}`;
  if (v.charAt(v.length - 1) !== ">") v += ">";
  return v;
}

type TAddress = { name: string; address?: string; group?: TAddress[] };

/** The header values Coffer reads, with MailParser's rules (the last one wins for single fields). */
type THeaderValues = {
  hasStandard: boolean;
  subject?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** null: a Date header that is not a date. */
  date?: Date | null;
  from?: TAddress[];
  replyTo?: TAddress[];
  /** One list per header field (MailParser keeps several To/Cc/Bcc fields). */
  to?: TAddress[][];
  cc?: TAddress[][];
  bcc?: TAddress[][];
};

const ONLY_STANDARD = new Set(["content-type", "mime-version", "received", "return-path", "sender"]);
const ADDRESS_KEYS = new Set(["from", "to", "cc", "bcc", "reply-to", "sender", "return-path"]);

function readHeaders(lines: { key: string; line: string }[], isRoot: boolean): THeaderValues {
  const h: THeaderValues = { hasStandard: false };
  for (const { key, line } of lines) {
    const isStandard = STANDARD_HEADERS.has(key);
    if (!isStandard && key !== "references" && key !== "in-reply-to" && key !== "bcc") continue;
    // MailParser only keeps (and counts) fields whose value is not empty; structured ones always count.
    if (isStandard && (key === "content-type" || ADDRESS_KEYS.has(key) || key === "date"))
      h.hasStandard = true;
    // The rest of these fields only tell that this is a message: no need to read them once that is known.
    if (ONLY_STANDARD.has(key) && (h.hasStandard || key === "content-type" || ADDRESS_KEYS.has(key)))
      continue;
    const value = headerValue(line);
    switch (key) {
      case "subject": {
        const s = decodeWords(value);
        if (s) {
          h.subject = s;
          h.hasStandard = true;
        }
        break;
      }
      case "message-id":
      case "in-reply-to": {
        const id = messageIdFormat(decodeWords(value));
        if (!id) break;
        if (key === "message-id") {
          h.messageId = id;
          h.hasStandard = true;
        } else h.inReplyTo = id;
        break;
      }
      case "references":
        if (isRoot) {
          const ids = decodeWords(value)
            .split(/\s+/)
            .map(messageIdFormat)
            .filter((v): v is string => !!v);
          h.references = (h.references ?? []).concat(ids);
        }
        break;
      case "date": {
        const d = new Date(value);
        // MailParser substitutes the time of parsing for a Date it cannot read; we leave it unknown.
        h.date = Number.isNaN(d.getTime()) ? null : d;
        break;
      }
      case "from":
      case "reply-to":
      case "to":
      case "cc":
      case "bcc": {
        const list = parseAddresses(value);
        if (key === "from") h.from = list;
        else if (key === "reply-to") h.replyTo = list;
        else {
          const field = key === "to" ? "to" : key === "cc" ? "cc" : "bcc";
          h[field] = [...(h[field] ?? []), list];
        }
        break;
      }
      default:
        if (value) h.hasStandard = true;
    }
  }
  return h;
}

function applyHeaders(h: THeaderValues, meta: TMailMetadata): void {
  if (h.subject !== undefined) meta.subject = h.subject;
  if (h.messageId !== undefined) meta.internetMessageId = h.messageId.trim();
  if (h.inReplyTo !== undefined) meta.inReplyTo = h.inReplyTo.trim();
  const firstRef = h.references?.[0];
  meta.conversationId = firstRef?.trim() || meta.inReplyTo || meta.internetMessageId || null;
  if (h.date) meta.sentAt = h.date;
  meta.from = flatten(h.from ? [h.from] : [])[0] ?? null;
  meta.to = flatten(h.to ?? []);
  meta.cc = flatten(h.cc ?? []);
  meta.bcc = flatten(h.bcc ?? []);
  meta.replyTo = flatten(h.replyTo ? [h.replyTo] : []);
}

/** Flattens address fields (groups included) into name + lower-case address. */
function flatten(fields: TAddress[][]): TMailAddress[] {
  const out: TMailAddress[] = [];
  const visit = (list: TAddress[]) => {
    for (const a of list) {
      if (a.group) visit(a.group);
      else if (a.address || a.name)
        out.push({ name: a.name ?? "", address: (a.address ?? "").toLowerCase() });
    }
  };
  for (const f of fields) visit(f);
  return out;
}

function parseAddresses(value: string): TAddress[] {
  const list = addressparser(value) as TAddress[];
  decodeAddresses(list);
  return list;
}

// Linear equivalent of /<[^<>]+@[^<>]+>/.test(str) (MailParser's hasBracketedAddress).
function hasBracketedAddress(str: string): boolean {
  let start = -1;
  let at = -1;
  for (let i = 0; i < str.length; i++) {
    const chr = str.charAt(i);
    if (chr === "<") {
      start = i;
      at = -1;
    } else if (chr === ">") {
      if (start >= 0 && at >= 0 && at < i - 1) return true;
      start = -1;
      at = -1;
    } else if (chr === "@" && start >= 0 && at < 0 && i > start + 1) at = i;
  }
  return false;
}

/** MailParser's decodeAddresses: encoded-word names, encoded-word addresses rejected, punycode domains. */
function decodeAddresses(addresses: TAddress[]): void {
  const processed = new WeakSet<TAddress>();
  for (let i = 0; i < addresses.length; i++) {
    const address = addresses[i]!;
    address.name = (address.name || "").toString().trim();
    if (
      !address.address &&
      /^(=\?([^?]+)\?[Bb]\?[^?]*\?=)(\s*=\?([^?]+)\?[Bb]\?[^?]*\?=)*$/.test(address.name) &&
      !processed.has(address)
    ) {
      const decoded = libmime.decodeWords(address.name);
      if (hasBracketedAddress(decoded)) {
        const parsed = addressparser(decoded) as TAddress[];
        for (const entry of parsed) {
          processed.add(entry);
          addresses.push(entry);
        }
        addresses.splice(i, 1);
        i--;
      } else address.name = decoded;
      continue;
    }
    if (address.name) address.name = decodeWords(address.name);
    if (address.address && /[=]\?[^?]+\?[BbQq]\?[^?]*\?[=]/.test(address.address)) {
      try {
        const decodedAddr = libmime.decodeWords(address.address);
        address.address =
          /^[^\s@]+@[^\s@]+$/.test(decodedAddr) && !/[=]\?/.test(decodedAddr) ? decodedAddr : "";
      } catch {
        address.address = "";
      }
    }
    if (address.address && /@xn--/.test(address.address)) {
      const at = address.address.lastIndexOf("@");
      try {
        address.address =
          address.address.slice(0, at + 1) + punycode.toUnicode(address.address.slice(at + 1));
      } catch {
        // not valid punycode: keep as is
      }
    }
    if (address.group) decodeAddresses(address.group);
  }
}

function addressesText(list: TAddress[]): string {
  return list
    .map((a) => {
      let s = "";
      if (a.name) s += `"${a.name}"${a.group ? ": " : ""}`;
      if (a.address) s += a.name ? ` <${a.address}>` : a.address;
      if (a.group) s += `${addressesText(a.group)};`;
      return s;
    })
    .join(", ");
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!,
  );

/** MailParser's address HTML, reduced to what survives {@link htmlToSearchText}. */
function addressesHtml(list: TAddress[]): string {
  return list
    .map((a) => {
      let s = "<span>";
      if (a.name) s += `<span>${escapeHtml(a.name)}${a.group ? ": " : ""}</span>`;
      if (a.address) {
        const link = `<a>${escapeHtml(a.address)}</a>`;
        s += a.name ? ` &lt;${link}&gt;` : link;
      }
      if (a.group) s += `${addressesHtml(a.group)};`;
      return `${s}</span>`;
    })
    .join(", ");
}

type TMetaField = { key: string; text: string; html: string };

/** From, Subject, Date, To, Cc, Bcc of an embedded message, as MailParser puts them in the body. */
function metaFields(h: THeaderValues): TMetaField[] {
  const out: TMetaField[] = [];
  const addr = (key: string, list: TAddress[] | undefined) => {
    if (list) out.push({ key, text: addressesText(list), html: addressesHtml(list) });
  };
  addr("From", h.from);
  if (h.subject)
    out.push({ key: "Subject", text: h.subject, html: `<strong>${escapeHtml(h.subject)}</strong>` });
  // MailParser would print the time of parsing for an unreadable Date; we leave the line out.
  if (h.date) out.push({ key: "Date", text: h.date.toUTCString(), html: h.date.toUTCString() });
  addr("To", h.to?.at(-1));
  addr("Cc", h.cc?.at(-1));
  addr("Bcc", h.bcc?.at(-1));
  return out;
}

function metaText(h: THeaderValues): string {
  return `\n${metaFields(h)
    .map((f) => `${f.key}: ${f.text}`)
    .join("\n")}\n`;
}

function metaHtml(h: THeaderValues): string {
  const rows = metaFields(h).map((f) => `<tr><td>${f.key}:</td><td>${f.html}<td></tr>`);
  return `<table>${rows.join("\n")}<table>`;
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
