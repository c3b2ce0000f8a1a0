import { Readable } from "node:stream";
import MailComposer, { type MailComposerOptions } from "nodemailer/lib/mail-composer";
import type MimeNode from "nodemailer/lib/mime-node";
import * as qp from "nodemailer/lib/qp";

/**
 * Synchronous MIME output for a MailComposer tree.
 *
 * Why not `compile().build()`: MailComposer only builds asynchronously (stream pipeline), but
 * `GeneratedMessage.mime()` is synchronous and must not hold more than one message. MailComposer
 * still does everything that matters — the tree, header encoding (RFC 2047/2231), content types
 * and boundaries — and this module walks its tree the way `MimeNode.stream()` does, using
 * nodemailer's own base64/QP encoders. `serialize.test.ts` checks the result is byte-identical to
 * `build()` for every kind of message the generator makes.
 */

/** Bytes that are produced on demand: a large payload that is never held in memory as a whole. */
export interface LazyPiece {
  length: number;
  chunks(): Iterable<Buffer>;
}

export type Piece = Buffer | LazyPiece;

const BASE64_LINE = 76;
/** 57 raw bytes encode to one 76-character base64 line; chunks of whole lines keep wrapping exact. */
const RAW_PER_LINE = 57;
const CRLF = Buffer.from("\r\n");

/**
 * Attachment content whose raw bytes come from a generator. It is a real Readable, so MailComposer
 * (and `build()` in tests) can consume it; the synchronous serializer reads `size`/`rawChunks`
 * instead and emits the base64 lazily.
 */
export class LazyPayload extends Readable {
  private source: Iterator<Buffer> | undefined;

  constructor(
    readonly size: number,
    readonly rawChunks: () => Iterable<Buffer>,
  ) {
    super();
  }

  override _read(): void {
    this.source ??= this.rawChunks()[Symbol.iterator]();
    const next = this.source.next();
    this.push(next.done ? null : next.value);
  }
}

export function base64EncodedLength(rawLength: number): number {
  if (rawLength === 0) return 0;
  const chars = 4 * Math.ceil(rawLength / 3);
  return chars + 2 * (Math.ceil(chars / BASE64_LINE) - 1);
}

/** Re-cuts a byte sequence into chunks of exactly `size` bytes (the last one may be shorter). */
function* rechunk(source: Iterable<Buffer>, size: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  for (const chunk of source) {
    let rest = chunk;
    while (pendingLength + rest.length >= size) {
      const take = size - pendingLength;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      pendingLength = 0;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingLength += rest.length;
    }
  }
  if (pendingLength > 0) yield Buffer.concat(pending, pendingLength);
}

export function lazyBase64(payload: LazyPayload): LazyPiece {
  return {
    length: base64EncodedLength(payload.size),
    *chunks() {
      let first = true;
      for (const raw of rechunk(payload.rawChunks(), RAW_PER_LINE * 16384)) {
        // nodemailer puts CRLF between lines but none after the last one
        const wrapped = wrapBase64(raw);
        yield first ? wrapped : Buffer.concat([CRLF, wrapped]);
        first = false;
      }
    },
  };
}

/**
 * QP through nodemailer's own stream encoder, driven synchronously: its soft line breaks at the end
 * of the input differ from the one-shot `qp.wrap(qp.encode())`, and the bytes must match `build()`.
 * `_transform`/`_flush` call back synchronously; `push` is captured instead of buffered.
 */
function encodeQuotedPrintable(bytes: Buffer, binary: boolean): Buffer {
  const encoder = new qp.Encoder({ lineLength: BASE64_LINE, binary });
  const out: Buffer[] = [];
  const driven = encoder as unknown as {
    push(chunk: string | Buffer | null, encoding?: BufferEncoding): boolean;
    _transform(chunk: Buffer, encoding: string, done: (error?: Error | null) => void): void;
    _flush(done: (error?: Error | null) => void): void;
  };
  driven.push = (chunk, encoding) => {
    if (chunk !== null) out.push(typeof chunk === "string" ? Buffer.from(chunk, encoding ?? "utf8") : chunk);
    return true;
  };
  const failOn = (error?: Error | null) => {
    if (error) throw error;
  };
  driven._transform(bytes, "buffer", failOn);
  driven._flush(failOn);
  return Buffer.concat(out);
}

const BASE64_ALPHABET = Buffer.from(
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
  "latin1",
);

/**
 * base64 in lines of 76 with CRLF between them (none after the last): the output of nodemailer's
 * base64 Encoder, which documents it as `wrap(encode(input))`. Its `wrap` uses a regular
 * expression that is slow on multi-megabyte attachments, and cutting Buffer.toString("base64")
 * into lines costs a native call per line; encoding straight into the wrapped output is about
 * twice as fast (attachments are most of a generated mailbox's bytes). `serialize.test.ts` checks
 * it against the plain encoding for every length class.
 */
export function wrapBase64(bytes: Buffer): Buffer {
  const n = bytes.length;
  if (n === 0) return Buffer.alloc(0);
  const chars = 4 * Math.ceil(n / 3);
  const out = Buffer.allocUnsafe(chars + 2 * (Math.ceil(chars / BASE64_LINE) - 1));
  const t = BASE64_ALPHABET;
  const whole = n - (n % 3);
  let at = 0;
  let group = 0;
  let i = 0;
  for (; i < whole; i += 3) {
    if (group === BASE64_LINE / 4) {
      out[at++] = 0x0d;
      out[at++] = 0x0a;
      group = 0;
    }
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[at] = t[v >>> 18]!;
    out[at + 1] = t[(v >>> 12) & 63]!;
    out[at + 2] = t[(v >>> 6) & 63]!;
    out[at + 3] = t[v & 63]!;
    at += 4;
    group++;
  }
  if (i < n) {
    if (group === BASE64_LINE / 4) {
      out[at++] = 0x0d;
      out[at++] = 0x0a;
    }
    const two = i + 1 < n;
    const v = (bytes[i]! << 16) | (two ? bytes[i + 1]! << 8 : 0);
    out[at] = t[v >>> 18]!;
    out[at + 1] = t[(v >>> 12) & 63]!;
    out[at + 2] = two ? t[(v >>> 6) & 63]! : 0x3d;
    out[at + 3] = 0x3d;
  }
  return out;
}

/** A part's content in its transfer encoding, as MimeNode.stream() writes it. */
export function encodeContent(
  contentType: string | undefined,
  content: Buffer | string,
  transferEncoding: string | false,
): Buffer {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  if (transferEncoding === "base64") return wrapBase64(bytes);
  if (transferEncoding === "quoted-printable") {
    // nodemailer encodes non-text QP in "binary" mode, as MimeNode.stream() does
    return encodeQuotedPrintable(bytes, !/^text\//i.test(contentType ?? ""));
  }
  return bytes;
}

function serializeNode(node: MimeNode, out: Piece[]): void {
  if ((node as unknown as { _raw: unknown })._raw)
    throw new Error("raw MIME nodes are not used by the generator");
  out.push(Buffer.from(`${node.buildHeaders()}\r\n\r\n`, "utf8"));
  const content = node.content;
  if (content) {
    const transferEncoding = node.getTransferEncoding();
    if (content instanceof LazyPayload) {
      if (transferEncoding !== "base64") throw new Error("lazy payloads must be base64 encoded");
      out.push(lazyBase64(content));
    } else if (typeof content === "string" || Buffer.isBuffer(content)) {
      out.push(encodeContent(node.contentType, content, transferEncoding));
    } else {
      throw new Error("the generator only uses string, Buffer or LazyPayload content");
    }
  }
  if (node.multipart) {
    node.childNodes.forEach((child, index) => {
      out.push(Buffer.from(`${index > 0 ? "\r\n" : ""}--${node.boundary}\r\n`, "latin1"));
      serializeNode(child, out);
    });
    out.push(Buffer.from(`\r\n--${node.boundary}--\r\n`, "latin1"));
  }
}

function lastByte(pieces: Piece[]): number | undefined {
  for (let i = pieces.length - 1; i >= 0; i--) {
    const piece = pieces[i]!;
    if (Buffer.isBuffer(piece)) {
      if (piece.length > 0) return piece[piece.length - 1];
    } else if (piece.length > 0) {
      // base64 output ends in a base64 character or '=', never a line break
      return 0x3d;
    }
  }
  return undefined;
}

/** MailComposer's tree for the options, serialised (without the final line break). */
export function mailComposerPieces(options: MailComposerOptions): Piece[] {
  const pieces: Piece[] = [];
  serializeNode(new MailComposer(options).compile(), pieces);
  return pieces;
}

/** Adds the final line break nodemailer's LastNewline transform adds. */
export function withFinalNewline(pieces: Piece[]): Piece[] {
  const last = lastByte(pieces);
  if (last === 0x0d) pieces.push(Buffer.from("\n"));
  else if (last !== 0x0a) pieces.push(Buffer.from("\r\n"));
  return pieces;
}

export function piecesLength(pieces: readonly Piece[]): number {
  return pieces.reduce((sum, piece) => sum + piece.length, 0);
}

/** One Buffer of exactly the message size; a lazy piece is copied in chunk by chunk. */
export function piecesToBuffer(pieces: readonly Piece[]): Buffer {
  if (pieces.every(Buffer.isBuffer)) return Buffer.concat(pieces as Buffer[]);
  const out = Buffer.allocUnsafe(piecesLength(pieces));
  let offset = 0;
  for (const piece of pieces) {
    if (Buffer.isBuffer(piece)) offset += piece.copy(out, offset);
    else for (const chunk of piece.chunks()) offset += chunk.copy(out, offset);
  }
  if (offset !== out.length) throw new Error(`message length mismatch: ${offset} != ${out.length}`);
  return out;
}

/** The message's bytes in order; lazy pieces produce theirs while being iterated. */
export function* pieceChunks(pieces: readonly Piece[]): Generator<Buffer> {
  for (const piece of pieces) {
    if (Buffer.isBuffer(piece)) yield piece;
    else yield* piece.chunks();
  }
}

export function piecesToStream(pieces: readonly Piece[]): Readable {
  return Readable.from(pieceChunks(pieces), { objectMode: false });
}

/** The same options built by nodemailer's own asynchronous path; tests compare the two. */
export function composeWithNodemailer(options: MailComposerOptions): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}
