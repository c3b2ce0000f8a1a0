import "server-only";
import { PassThrough, type Readable } from "node:stream";
import type { BlobStore } from "@coffer/db/blobs/store";
import { type AttachmentStream, MailParser, type MessageText } from "mailparser";

/**
 * Reads parts of an archived message from its original bytes (the blob store verifies them as they
 * stream). Everything streams through mailparser's MailParser, so a 100 MB message never sits in memory:
 * attachment contents are drained unless asked for, and inline images are kept only up to a budget.
 */

/** The header section as it was received, at most this much (real headers are a few KB). */
const MAX_HEADER_BYTES = 512 * 1024;
/** Inline (cid:) images embedded into the rendered body, in total; beyond this they are left out. */
const MAX_INLINE_IMAGE_BYTES = 8 * 1024 * 1024;
/** A body larger than this is cut (what mailparser's HTML-to-text has to handle stays bounded too). */
const MAX_BODY_CHARS = 4 * 1024 * 1024;

/** The original header section (up to the first empty line), as text; `truncated` when it was longer. */
export async function readHeaderSection(
  blobs: BlobStore,
  sha256: string,
): Promise<{ text: string; isTruncated: boolean }> {
  const stream = await blobs.getStream(sha256);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      const all = Buffer.concat(chunks);
      const end = headerEnd(all);
      if (end >= 0) return { text: all.subarray(0, end).toString("utf8"), isTruncated: false };
      if (size >= MAX_HEADER_BYTES) {
        return { text: all.subarray(0, MAX_HEADER_BYTES).toString("utf8"), isTruncated: true };
      }
      chunks.length = 0;
      chunks.push(all);
    }
    // A message with no body: the whole thing is headers.
    return { text: Buffer.concat(chunks).toString("utf8"), isTruncated: false };
  } finally {
    stream.destroy();
  }
}

function headerEnd(buf: Buffer): number {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf < 0) return lf;
  if (lf < 0) return crlf;
  return Math.min(crlf, lf);
}

export type TMessageBody = {
  html: string | undefined;
  /** Plain text rendered as HTML by mailparser (escaped, links marked), when there is no HTML part. */
  textAsHtml: string | undefined;
  /** `cid:` id → data: URL of inline images (within the budget). */
  inlineImages: Map<string, string>;
  isTruncated: boolean;
};

/** The message's body for display: its HTML part, else its text part, plus its inline images. */
export async function readMessageBody(blobs: BlobStore, sha256: string): Promise<TMessageBody> {
  const source = await blobs.getStream(sha256);
  const parser = new MailParser({ skipImageLinks: true, maxHtmlLengthToParse: MAX_BODY_CHARS });
  const inlineImages = new Map<string, string>();
  let budget = MAX_INLINE_IMAGE_BYTES;
  let text: MessageText | undefined;

  const done = new Promise<void>((resolve, reject) => {
    parser.on("data", (part: AttachmentStream | MessageText) => {
      if (part.type === "text") {
        text = part;
        return;
      }
      const cid = part.cid ?? part.contentId?.replace(/^<|>$/g, "");
      const isImage = /^image\/(png|gif|jpeg|webp|bmp)$/i.test(part.contentType ?? "");
      const chunks: Buffer[] = [];
      let size = 0;
      (part.content as Readable).on("data", (chunk: Buffer) => {
        if (!cid || !isImage) return;
        size += chunk.length;
        if (size <= budget) chunks.push(chunk);
      });
      (part.content as Readable).on("end", () => {
        if (cid && isImage && size <= budget) {
          budget -= size;
          inlineImages.set(
            cid,
            `data:${part.contentType.toLowerCase()};base64,${Buffer.concat(chunks).toString("base64")}`,
          );
        }
        part.release();
      });
    });
    parser.on("end", resolve);
    parser.on("error", reject);
    source.on("error", (e) => {
      parser.destroy();
      reject(e);
    });
  });
  source.pipe(parser);
  await done;
  const html = typeof text?.html === "string" ? text.html : undefined;
  const isTruncated = (html?.length ?? 0) > MAX_BODY_CHARS;
  return {
    html: html?.slice(0, MAX_BODY_CHARS),
    textAsHtml: html ? undefined : text?.textAsHtml?.slice(0, MAX_BODY_CHARS),
    inlineImages,
    isTruncated,
  };
}

export type TAttachmentStream = { filename: string; contentType: string; content: Readable };

/**
 * The `index`-th attachment part of the message (the same numbering as the archive's extracted
 * `attachments` list: every attachment part in document order, inline ones included), as a stream.
 * Undefined when there is no such part.
 *
 * The blob store authenticates a blob only at its end (AES-GCM), so the returned stream ends only after
 * the whole message has been read and verified; if verification fails it errors instead, and the
 * download is aborted rather than completed with corrupt bytes.
 */
export async function openAttachment(
  blobs: BlobStore,
  sha256: string,
  index: number,
): Promise<TAttachmentStream | undefined> {
  const source = await blobs.getStream(sha256);
  const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const out = new PassThrough();
  let seen = 0;
  let isContentDone = false;
  let isSourceDone = false;
  const maybeEnd = () => {
    if (isContentDone && isSourceDone) out.end();
  };
  return new Promise<TAttachmentStream | undefined>((resolve, reject) => {
    let isSettled = false;
    const settle = (value: TAttachmentStream | undefined, error?: unknown) => {
      if (isSettled) return;
      isSettled = true;
      if (error) reject(error);
      else resolve(value);
    };
    parser.on("data", (part: AttachmentStream | MessageText) => {
      if (part.type !== "attachment") return;
      const content = part.content as Readable;
      if (seen++ !== index) {
        content.resume();
        content.on("end", () => part.release());
        return;
      }
      content.pipe(out, { end: false });
      content.on("end", () => {
        part.release();
        isContentDone = true;
        maybeEnd();
      });
      settle({
        filename: part.filename || `attachment-${index + 1}`,
        contentType: part.contentType || "application/octet-stream",
        content: out,
      });
    });
    parser.on("end", () => {
      isSourceDone = true;
      settle(undefined);
      maybeEnd();
    });
    const fail = (e: unknown) => {
      out.destroy(e instanceof Error ? e : new Error(String(e)));
      settle(undefined, e);
    };
    parser.on("error", fail);
    source.on("error", (e) => {
      parser.destroy();
      fail(e);
    });
    // The reader went away (download cancelled): stop reading the blob.
    out.on("close", () => {
      if (!(isContentDone && isSourceDone)) {
        source.destroy();
        parser.destroy();
      }
    });
    source.pipe(parser);
  });
}
