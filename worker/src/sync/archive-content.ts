import { PassThrough, Readable, type Writable } from "node:stream";
import type { TContentInsert } from "@coffer/db/archive/index";
import type { BlobStore, StoredBlob } from "@coffer/db/blobs/index";
import { toGraphFailure } from "../graph/errors";
import type { MailboxSource } from "../graph/port";
import { sleep } from "../graph/rate-limiter";
import {
  analyzeBytes,
  createMimeAnalyzer,
  type TMailMetadata,
  type TMimeAnalysis,
} from "../mime/analyze-mime";
import { sharedMimeAnalyzerPool } from "../mime/analyzer-pool";

/** A message's bytes stored (or found already stored) plus what was extracted from them. */
export type TArchivedContent = {
  blob: StoredBlob;
  content: TContentInsert;
  sortSubject: string;
  sortSender: string;
  sentAt: Date | null;
};

/**
 * Messages up to this size are read into memory, analysed and stored with `putBuffer` (one hash, one
 * compression call, no stream plumbing: what makes hundreds of messages per second possible). Larger ones
 * stream through the blob store and the MIME parser side by side, so a 100 MB message is never held whole.
 */
export const BUFFER_LIMIT = 1024 * 1024;

const MAX_BODY_ATTEMPTS = 4;

/**
 * Fetches one message's MIME and archives it: bytes into the blob store (content-addressed, so identical
 * MIME in many mailboxes is stored once), metadata extracted on the way. A malformed message is archived
 * byte-exact with `parseError` set; it is never dropped. A connection reset in the middle of a body is
 * retried here (the request-level retries are the middleware's).
 */
export async function archiveMessageContent(
  source: MailboxSource,
  messageId: string,
  blobs: BlobStore,
  signal?: AbortSignal,
): Promise<TArchivedContent> {
  for (let attempt = 1; ; attempt++) {
    try {
      const download = await source.openMime(messageId);
      if (download.bytes) {
        const [analysis, blob] = await Promise.all([
          analyzeBuffer(download.bytes),
          blobs.putBuffer(download.bytes),
        ]);
        return toArchived(blob, analysis);
      }
      const { stream } = download;
      const head = await readUpTo(stream, BUFFER_LIMIT);
      if (head.isComplete) {
        const bytes = head.chunks.length === 1 ? head.chunks[0]! : Buffer.concat(head.chunks);
        const [analysis, blob] = await Promise.all([analyzeBuffer(bytes), blobs.putBuffer(bytes)]);
        return toArchived(blob, analysis);
      }
      return await streamToStore(Readable.from(concatStreams(head.chunks, head.rest)), blobs);
    } catch (e) {
      const failure = toGraphFailure(`archive message ${messageId}`, e);
      if (failure.kind !== "transient" || attempt >= MAX_BODY_ATTEMPTS || signal?.aborted) throw failure;
      await sleep(200 * 2 ** attempt * (0.5 + Math.random()), signal);
    }
  }
}

async function streamToStore(stream: Readable, blobs: BlobStore): Promise<TArchivedContent> {
  const analyzer = createMimeAnalyzer();
  const toStore = new PassThrough({ highWaterMark: 256 * 1024 });
  const stored = blobs.putStream(toStore);
  // Tee by hand: each chunk goes to the store and the analyser; the analyser never blocks the store for
  // long (it drops input once it failed or has seen MAX_PARSE_BYTES).
  const pump = (async () => {
    try {
      for await (const chunk of stream) {
        toStore.write(chunk);
        analyzer.writable.write(chunk);
        // Wait on both at once, and only while a drain is still due: a 'drain' that fired while we were
        // waiting for the other stream must not be waited for again (that hung on large messages).
        await Promise.all([waitDrain(toStore), waitDrain(analyzer.writable)]);
      }
      toStore.end();
      analyzer.writable.end();
    } catch (e) {
      toStore.destroy(e as Error);
      analyzer.writable.destroy(e as Error);
      throw e;
    }
  })();
  const [blob] = await Promise.all([stored, pump]);
  return toArchived(blob, await analyzer.result);
}

function waitDrain(w: Writable): Promise<void> {
  if (!w.writableNeedDrain || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      w.off("drain", done);
      w.off("close", done);
      resolve();
    };
    w.once("drain", done);
    w.once("close", done);
  });
}

/**
 * Reads until `limit` bytes or the end. Small messages (most) end up whole in memory; for larger ones the
 * chunks read so far and the iterator of the rest are handed to the streaming path.
 */
async function readUpTo(
  stream: Readable,
  limit: number,
): Promise<{ isComplete: boolean; chunks: Buffer[]; rest: AsyncIterator<Buffer> }> {
  const rest = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let n = 0;
  while (n <= limit) {
    const r = await rest.next();
    if (r.done) return { isComplete: true, chunks, rest };
    chunks.push(r.value);
    n += r.value.length;
  }
  return { isComplete: false, chunks, rest };
}

async function* concatStreams(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

function analyzeBuffer(bytes: Buffer): Promise<TMimeAnalysis> {
  return sharedMimeAnalyzerPool()?.analyze(bytes) ?? analyzeBytes(bytes);
}

function toArchived(blob: StoredBlob, analysis: TMimeAnalysis): TArchivedContent {
  const m = analysis.metadata;
  return {
    blob,
    sortSubject: sortKey(stripReplyPrefixes(m.subject)),
    sortSender: sortKey(m.from ? m.from.name || m.from.address : ""),
    sentAt: m.sentAt,
    content: {
      sha256: blob.sha256,
      dataType: "mail",
      title: clean(m.subject).slice(0, 2000),
      internetMessageId: m.internetMessageId,
      conversationId: m.conversationId,
      fromAddress: m.from?.address || null,
      fromName: m.from?.name || null,
      toAddresses: addresses(m.to),
      ccAddresses: addresses(m.cc),
      bccAddresses: addresses(m.bcc),
      sentAt: m.sentAt,
      hasAttachments: m.hasAttachments,
      attachmentNames: m.attachments.map((a) => clean(a.name)).filter(Boolean),
      bodyText: clean(m.bodyText),
      meta: contentMeta(m),
      parseError: analysis.parseError ? clean(analysis.parseError) : null,
      recipientNames: [...m.to, ...m.cc, ...m.bcc]
        .map((a) => a.name)
        .filter(Boolean)
        .join(", "),
    },
  };
}

function contentMeta(m: TMailMetadata): Record<string, unknown> {
  const named = (list: TMailMetadata["to"]) =>
    list.map((a) => ({ name: clean(a.name), address: clean(a.address) }));
  return {
    from: m.from ? { name: clean(m.from.name), address: clean(m.from.address) } : null,
    to: named(m.to),
    cc: named(m.cc),
    bcc: named(m.bcc),
    replyTo: named(m.replyTo),
    inReplyTo: m.inReplyTo ? clean(m.inReplyTo) : null,
    attachments: m.attachments.map((a) => ({ ...a, name: clean(a.name), contentType: clean(a.contentType) })),
    recipientNames: [...m.to, ...m.cc, ...m.bcc]
      .map((a) => clean(a.name))
      .filter(Boolean)
      .join(", "),
    isBodyTruncated: m.isBodyTruncated,
    isPartiallyParsed: m.isPartiallyParsed,
  };
}

function addresses(list: TMailMetadata["to"]): string[] {
  return list.map((a) => clean(a.address)).filter(Boolean);
}

/** PostgreSQL text cannot hold NUL, and lone surrogates break JSON: both occur in malformed mail. */
function clean(value: unknown): string {
  // Header values can come back as non-strings from odd messages; never let that fail the archive.
  const s = typeof value === "string" ? value : value == null ? "" : String(value);
  return s.replaceAll("\0", "").replace(/[\uD800-\uDFFF]/g, (c, i: number, all: string) => {
    const code = c.charCodeAt(0);
    const next = all.charCodeAt(i + 1);
    const prev = all.charCodeAt(i - 1);
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return c;
    if (code >= 0xdc00 && prev >= 0xd800 && prev <= 0xdbff) return c;
    return "\uFFFD";
  });
}

function stripReplyPrefixes(subject: string): string {
  return subject.replace(/^\s*((re|fw|fwd|aw|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+/i, "");
}

/** Folder listings sort on this: lower-case, trimmed, bounded (an index entry must stay small). */
export function sortKey(s: string): string {
  return clean(s).trim().toLowerCase().slice(0, 200);
}
