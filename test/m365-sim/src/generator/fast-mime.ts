import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import * as mimeFuncs from "nodemailer/lib/mime-funcs";
import MimeNode from "nodemailer/lib/mime-node";
import { Memo } from "./memo";
import {
  encodeContent,
  LazyPayload,
  lazyBase64,
  mailComposerPieces,
  type Piece,
  withFinalNewline,
} from "./mime-serialize";

/**
 * MailComposer's output for the option shapes the generator uses, without MailComposer's tree.
 *
 * Why: composing a message was the simulator's largest cost per generated message (the archive
 * benchmark downloads 100,000 of them), and a profile put most of it in building and walking the
 * MimeNode tree — per-node random boundaries, header-key normalisation on every get/set, content
 * scans repeated per call — not in the encoding itself. This module lays out the same tree
 * (`compile()`'s rules: alternative/related/mixed, node numbering, header order) and leaves every
 * encoding decision to nodemailer's own functions (`encodeHeaderValue`, `mime-funcs`, the QP and
 * base64 encoders), remembering their answers for the header values that repeat across messages
 * (people, subjects, attachment names). The bytes are MailComposer's: `fast-mime.test.ts` compares
 * whole mailboxes of every payload kind and the pinned digests in `golden.test.ts` hold.
 *
 * Options outside that shape return `undefined`, and the caller uses MailComposer.
 */

type Content = string | Buffer | LazyPayload;
type Header = { key: string; value: unknown };

interface Leaf {
  kind: "leaf";
  id: number;
  headers: Header[];
  contentType: string;
  filename?: string;
  content: Content;
  /** getTransferEncoding(), once computed (it scans text content). */
  te?: string | false;
}

interface Multi {
  kind: "multi";
  id: number;
  headers: Header[];
  contentType: string;
  children: Tree[];
}

type Tree = Leaf | Multi;

/** What MailComposer's getAlternatives()/getAttachments() produce, for our shapes. */
interface Element {
  contentType: string;
  content: Content;
  filename?: string;
  cid?: string;
  contentDisposition?: string;
  contentTransferEncoding?: string;
  headers?: Record<string, string>;
}

interface Address {
  name: string;
  address: string;
}

interface Attachment {
  filename: string;
  content: Content;
  contentType?: string;
  cid?: string;
  contentDisposition?: string;
}

interface Shape {
  from: Address;
  to?: Address[];
  cc?: Address[];
  subject?: string;
  messageId: string;
  date: string;
  inReplyTo?: string;
  references?: string[];
  baseBoundary: string;
  headers?: Record<string, string>;
  text?: string;
  html?: string;
  attachments?: Attachment[];
  icalEvent?: { method: string; filename: string; content: string };
}

// ---------------------------------------------------------------- input shape

const OPTION_KEYS = new Set([
  "from",
  "to",
  "cc",
  "subject",
  "messageId",
  "date",
  "inReplyTo",
  "references",
  "baseBoundary",
  "headers",
  "text",
  "html",
  "attachments",
  "icalEvent",
]);
const ATTACHMENT_KEYS = new Set(["filename", "content", "contentType", "cid", "contentDisposition"]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isAddress = (v: unknown): v is Address =>
  isRecord(v) && typeof v.name === "string" && typeof v.address === "string" && Object.keys(v).length === 2;
const isContent = (v: unknown): v is Content =>
  typeof v === "string" || Buffer.isBuffer(v) || v instanceof LazyPayload;
const optionalString = (v: unknown) => v === undefined || typeof v === "string";

function hasControl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The options if they are of the shape this module reproduces, else undefined. */
function shapeOf(options: MailComposerOptions): Shape | undefined {
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!OPTION_KEYS.has(key)) return undefined;
  if (!isAddress(o.from) || typeof o.messageId !== "string" || typeof o.date !== "string") return undefined;
  if (typeof o.baseBoundary !== "string" || !/^[0-9A-Za-z]+$/.test(o.baseBoundary)) return undefined;
  for (const list of [o.to, o.cc])
    if (list !== undefined && !(Array.isArray(list) && list.every(isAddress))) return undefined;
  if (!optionalString(o.subject) || !optionalString(o.inReplyTo) || !optionalString(o.text)) return undefined;
  if (!optionalString(o.html)) return undefined;
  if (
    o.references !== undefined &&
    !(Array.isArray(o.references) && o.references.every((r) => typeof r === "string"))
  )
    return undefined;
  if (o.headers !== undefined) {
    if (!isRecord(o.headers) || Array.isArray(o.headers)) return undefined;
    if (!Object.values(o.headers).every((v) => typeof v === "string" && v !== "")) return undefined;
  }
  if (o.attachments !== undefined) {
    if (!Array.isArray(o.attachments)) return undefined;
    for (const a of o.attachments) {
      if (!isRecord(a) || !Object.keys(a).every((k) => ATTACHMENT_KEYS.has(k))) return undefined;
      if (typeof a.filename !== "string" || a.filename === "" || !isContent(a.content)) return undefined;
      if (!optionalString(a.contentType) || !optionalString(a.cid) || !optionalString(a.contentDisposition))
        return undefined;
      // nodemailer strips or force-encodes control characters in these: not reproduced here
      if ([a.filename, a.contentType, a.cid, a.contentDisposition].some(hasControl)) return undefined;
    }
  }
  if (o.icalEvent !== undefined) {
    const e = o.icalEvent;
    if (!isRecord(e) || Object.keys(e).sort().join() !== "content,filename,method") return undefined;
    if (typeof e.method !== "string" || typeof e.filename !== "string" || typeof e.content !== "string")
      return undefined;
    if (hasControl(e.method) || hasControl(e.filename)) return undefined;
  }
  return o as unknown as Shape;
}

// ---------------------------------------------------------------- nodemailer's helpers, remembered

/** A node used only for its header encoders (no content; never serialised). */
const encoder = new MimeNode();
const encoderInternals = encoder as unknown as { _normalizeHeaderKey(key: string): string };

const keys = new Memo<string, string>(256);
function normalizeKey(key: string): string {
  return keys.get(key, () => encoderInternals._normalizeHeaderKey(key));
}

/** nodemailer's MimeNode._getTextEncoding for a node without a preset textEncoding. */
function textEncoding(value: string): "Q" | "B" {
  let nonLatin = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x08 || code === 0x0b || code === 0x0c || (code >= 0x0e && code <= 0x1f) || code >= 0x80)
      nonLatin++;
    else if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
  }
  return nonLatin < latin ? "Q" : "B";
}

const lines = new Memo<string, string>(8192);

function addressKey(value: Address | Address[]): string {
  const list = Array.isArray(value) ? value : [value];
  let key = "";
  for (const a of list) key += `${a.name}\u0001${a.address}\u0002`;
  return key;
}

/** Header values that are new in nearly every message: remembering them would cost more than it saves. */
const UNIQUE = new Set(["Message-ID", "In-Reply-To", "References", "Date", "Subject"]);

/** One folded header line, as MimeNode.buildHeaders() writes it ("" when it writes none). */
function headerLine(key: string, value: unknown): string {
  if (UNIQUE.has(key)) return fold(key, value);
  const memoKey =
    typeof value === "string"
      ? `${key}\u0000${value}`
      : `${key}\u0000${addressKey(value as Address | Address[])}\u0004`;
  return lines.get(memoKey, () => {
    // encodeHeaderValue normalises address objects in place: give it copies
    const input = Array.isArray(value)
      ? value.map((v) => (isRecord(v) ? { ...v } : v))
      : isRecord(value)
        ? { ...value }
        : value;
    return fold(key, input);
  });
}

/** MimeNode.buildHeaders()' Content-Type value (structured, boundary, name parameter). */
function contentTypeValue(
  value: string,
  filename: string | undefined,
  boundary: string | false,
  utf8: boolean,
): string {
  const structured = mimeFuncs.parseHeaderValue(value, { stripComments: true });
  if (boundary) structured.params.boundary = structured.params.boundary || boundary;
  if (utf8) structured.params.charset = "utf-8";
  if (filename !== undefined)
    for (const param of Object.keys(structured.params))
      if (/^name(\*|$)/i.test(param)) delete structured.params[param];
  let out = mimeFuncs.buildHeaderValue(structured);
  if (filename !== undefined) {
    // (a name with control characters would be one encoded word: shapeOf() leaves those to MailComposer)
    let param = mimeFuncs.encodeWords(filename, textEncoding(filename), 52, true);
    if (param !== filename || /[\s'"\\;:/=(),<>@[\]?]|^-/.test(param)) param = JSON.stringify(param);
    out += `; name=${param}`;
  }
  return out;
}

function contentDispositionValue(value: string, filename: string | undefined): string {
  const structured = mimeFuncs.parseHeaderValue(value, { stripComments: true });
  if (filename !== undefined) structured.params.filename = filename;
  return mimeFuncs.buildHeaderValue(structured);
}

const mimeTypes = new Memo<string, string>(256);

// ---------------------------------------------------------------- the tree (MailComposer.compile)

function setHeader(headers: Header[], key: string, value: unknown): void {
  const k = normalizeKey(key);
  const at = headers.findIndex((h) => h.key === k);
  if (at < 0) {
    headers.push({ key: k, value });
    return;
  }
  headers[at] = { key: k, value };
  for (let i = headers.length - 1; i > at; i--) if (headers[i]!.key === k) headers.splice(i, 1);
}

function getHeader(headers: Header[], key: string): unknown {
  const k = normalizeKey(key);
  return headers.find((h) => h.key === k)?.value;
}

class Builder {
  private counter = 0;

  constructor(readonly shape: Shape) {}

  private nextId(): number {
    this.counter += 1;
    return this.counter;
  }

  multi(contentType: string): Multi {
    return {
      kind: "multi",
      id: this.nextId(),
      headers: [{ key: "Content-Type", value: contentType }],
      contentType,
      children: [],
    };
  }

  /** MailComposer._createContentNode */
  leaf(element: Element): Leaf {
    const node: Leaf = {
      kind: "leaf",
      id: this.nextId(),
      headers: [{ key: "Content-Type", value: element.contentType }],
      contentType: element.contentType,
      content: element.content || "",
    };
    if (element.filename !== undefined) node.filename = element.filename;
    for (const [k, v] of Object.entries(element.headers ?? {}))
      node.headers.push({ key: normalizeKey(k), value: v });
    if (element.cid) setHeader(node.headers, "Content-Id", `<${element.cid.replace(/[<>]/g, "")}>`);
    if (element.contentTransferEncoding)
      setHeader(node.headers, "Content-Transfer-Encoding", element.contentTransferEncoding);
    if (!/^text\//i.test(element.contentType) || element.contentDisposition)
      setHeader(
        node.headers,
        "Content-Disposition",
        element.contentDisposition ||
          (element.cid && /^image\//i.test(element.contentType) ? "inline" : "attachment"),
      );
    return node;
  }

  compile(): Tree {
    const mail = this.shape;
    const alternatives: Element[] = [];
    if (mail.text) alternatives.push({ contentType: "text/plain; charset=utf-8", content: mail.text });
    if (mail.html) alternatives.push({ contentType: "text/html; charset=utf-8", content: mail.html });
    if (mail.icalEvent)
      alternatives.push({
        contentType: `text/calendar; charset=utf-8; method=${(mail.icalEvent.method || "PUBLISH").toString().trim().toUpperCase()}`,
        content: mail.icalEvent.content,
        headers: {},
      });
    const htmlNode = alternatives.filter((a) => /^text\/html\b/i.test(a.contentType)).pop();
    const all: Element[] = (mail.attachments ?? []).map((a) => {
      const contentType =
        a.contentType || mimeTypes.get(a.filename, () => mimeFuncs.detectMimeType(a.filename));
      const isImage = /^image\//i.test(contentType);
      const isMessage = /^message\//i.test(contentType);
      const element: Element = {
        contentType,
        contentDisposition:
          a.contentDisposition || (isMessage || (isImage && a.cid) ? "inline" : "attachment"),
        contentTransferEncoding: isMessage ? (fitsSevenBit(a.content) ? "7bit" : "8bit") : "base64",
        filename: a.filename,
        content: a.content || "",
      };
      if (a.cid) element.cid = a.cid;
      return element;
    });
    const event: Element[] = mail.icalEvent
      ? [
          {
            contentType: "application/ics",
            content: mail.icalEvent.content,
            filename: mail.icalEvent.filename || "invite.ics",
            headers: { "Content-Disposition": "attachment", "Content-Transfer-Encoding": "base64" },
          },
        ]
      : [];
    const attached = htmlNode ? [...all.filter((a) => !a.cid), ...event] : [...all, ...event];
    const related = htmlNode ? all.filter((a) => a.cid) : [];
    const useRelated = Boolean(htmlNode && related.length);
    const useAlternative = alternatives.length > 1;
    const useMixed = attached.length > 1 || (alternatives.length > 0 && attached.length === 1);

    const createRelated = (): Multi => {
      const node = this.multi('multipart/related; type="text/html"');
      node.children.push(this.leaf(htmlNode as Element));
      for (const r of related) node.children.push(this.leaf(r));
      return node;
    };
    const createAlternative = (): Multi => {
      const node = this.multi("multipart/alternative");
      for (const a of alternatives)
        node.children.push(useRelated && a === htmlNode ? createRelated() : this.leaf(a));
      return node;
    };
    let root: Tree;
    if (useMixed) {
      const node = this.multi("multipart/mixed");
      if (useAlternative) node.children.push(createAlternative());
      else if (useRelated) node.children.push(createRelated());
      for (const element of [...(!useAlternative ? alternatives : []), ...attached])
        if (!useRelated || element !== htmlNode) node.children.push(this.leaf(element));
      root = node;
    } else if (useAlternative) root = createAlternative();
    else if (useRelated) root = createRelated();
    else root = this.leaf([...alternatives, ...attached][0] ?? { contentType: "text/plain", content: "" });

    for (const [k, v] of Object.entries(mail.headers ?? {}))
      root.headers.push({ key: normalizeKey(k), value: v });
    const fields: Array<[string, unknown]> = [
      ["from", mail.from],
      ["to", mail.to],
      ["cc", mail.cc],
      ["in-reply-to", mail.inReplyTo],
      ["references", mail.references],
      ["subject", mail.subject],
      ["message-id", mail.messageId],
      ["date", mail.date],
    ];
    for (const [k, v] of fields) if (v) setHeader(root.headers, k, v);
    return root;
  }
}

/** MailComposer's fitsSevenBit: no NUL or 8-bit byte, no line over 998 characters. */
function fitsSevenBit(content: Content): boolean {
  if (typeof content !== "string" && !Buffer.isBuffer(content)) return false;
  let lineLength = 0;
  for (let i = 0; i < content.length; i++) {
    const c = typeof content === "string" ? content.charCodeAt(i) : (content[i] as number);
    if (c === 0 || c > 0x7f) return false;
    if (c === 0x0a || c === 0x0d) lineLength = 0;
    else if (++lineLength > 998) return false;
  }
  return true;
}

// ---------------------------------------------------------------- serialisation (MimeNode.stream)

/** MimeNode.getTransferEncoding() */
function transferEncoding(node: Leaf): string | false {
  node.te ??= computeTransferEncoding(node);
  return node.te;
}

function computeTransferEncoding(node: Leaf): string | false {
  if (!node.content) return false;
  const contentType = String(getHeader(node.headers, "Content-Type") ?? "")
    .toLowerCase()
    .trim();
  let te = String(getHeader(node.headers, "Content-Transfer-Encoding") ?? "")
    .toLowerCase()
    .trim();
  if (!te || !["base64", "quoted-printable"].includes(te)) {
    if (/^text\//i.test(contentType)) {
      const content = node.content;
      if (
        typeof content === "string" &&
        mimeFuncs.isPlainText(content) &&
        !mimeFuncs.hasLongerLines(content, 76)
      )
        te = "7bit";
      else if (typeof content === "string" || Buffer.isBuffer(content))
        te = textEncoding(content.toString()) === "Q" ? "quoted-printable" : "base64";
      else te = "quoted-printable";
    } else if (!/^(multipart|message)\//i.test(contentType)) te = te || "base64";
  }
  return te;
}

function boundaryOf(baseBoundary: string, node: Multi): string {
  // shapeOf() admits only alphanumeric bases: nothing for nodemailer to strip
  return `--_NmP-${baseBoundary}-Part_${node.id}`;
}

/** MimeNode.buildHeaders() */
function headerBlock(node: Tree, isRoot: boolean, baseBoundary: string): string {
  const headers = node.headers;
  if (node.kind === "leaf") {
    const te = transferEncoding(node);
    if (te) setHeader(headers, "Content-Transfer-Encoding", te);
    if (node.filename !== undefined && !getHeader(headers, "Content-Disposition"))
      setHeader(headers, "Content-Disposition", "attachment");
  }
  if (isRoot) {
    if (!getHeader(headers, "MIME-Version")) setHeader(headers, "MIME-Version", "1.0");
    for (let i = headers.length - 2; i >= 0; i--) {
      if (headers[i]!.key === "Content-Type") headers.push(...headers.splice(i, 1));
    }
  }
  const out: string[] = [];
  for (const { key, value } of headers) {
    let line: string;
    if (key === "Content-Type") {
      const type = String(value);
      const content = node.kind === "leaf" ? node.content : undefined;
      const utf8 =
        /^text\/plain\b/.test(type.trim()) && typeof content === "string" && /[\u0080-\uFFFF]/.test(content);
      const filename = node.kind === "leaf" ? node.filename : undefined;
      const boundary = node.kind === "multi" ? boundaryOf(baseBoundary, node) : false;
      line = structuredLines.get(
        `T\u0000${type}\u0000${filename ?? "\u0005"}\u0000${boundary}\u0000${utf8}`,
        () => fold(key, contentTypeValue(type, filename, boundary, utf8)),
      );
    } else if (key === "Content-Disposition") {
      const filename = node.kind === "leaf" ? node.filename : undefined;
      line = structuredLines.get(`D\u0000${value}\u0000${filename ?? "\u0005"}`, () =>
        fold(key, contentDispositionValue(String(value), filename)),
      );
    } else line = headerLine(key, value);
    if (line) out.push(line);
  }
  return out.join("\r\n");
}

/** Content-Type and Content-Disposition lines by their inputs (attachment names and types repeat). */
const structuredLines = new Memo<string, string>(4096);

function fold(key: string, value: unknown): string {
  const encoded = encoder.encodeHeaderValue(key, value as string);
  if (!(encoded || "").toString().trim()) return "";
  return mimeFuncs.foldLines(`${key}: ${encoded}`, 76);
}

function serialize(node: Tree, isRoot: boolean, baseBoundary: string, out: Piece[]): void {
  out.push(Buffer.from(`${headerBlock(node, isRoot, baseBoundary)}\r\n\r\n`, "utf8"));
  if (node.kind === "leaf") {
    const content = node.content;
    if (!content) return;
    const te = transferEncoding(node);
    if (content instanceof LazyPayload) {
      if (te !== "base64") throw new Error("lazy payloads must be base64 encoded");
      out.push(lazyBase64(content));
    } else out.push(encodeContent(node.contentType, content, te));
    return;
  }
  const boundary = boundaryOf(baseBoundary, node);
  node.children.forEach((child, index) => {
    out.push(Buffer.from(`${index > 0 ? "\r\n" : ""}--${boundary}\r\n`, "latin1"));
    serialize(child, false, baseBoundary, out);
  });
  out.push(Buffer.from(`\r\n--${boundary}--\r\n`, "latin1"));
}

/** The message's pieces (without the final line break), or undefined when MailComposer must build it. */
export function fastPieces(options: MailComposerOptions): Piece[] | undefined {
  const shape = shapeOf(options);
  if (!shape) return undefined;
  const out: Piece[] = [];
  serialize(new Builder(shape).compile(), true, shape.baseBoundary, out);
  return out;
}

/**
 * The message as pieces, with the final line break nodemailer's LastNewline transform adds: built
 * here for the generator's option shapes, by MailComposer's tree for anything else.
 */
export function composePieces(options: MailComposerOptions): Piece[] {
  return withFinalNewline(fastPieces(options) ?? mailComposerPieces(options));
}
