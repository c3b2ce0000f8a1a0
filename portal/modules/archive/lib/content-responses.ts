import "server-only";
import { Readable } from "node:stream";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { blobStore } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { bodyContentSecurityPolicy } from "@/lib/security/csp";
import { auditRead } from "./audit-read";
import { loadMessage } from "./load-message";
import { openAttachment, readMessageBody } from "./read-mime";
import { bodyDocument, sanitizeMessageHtml } from "./render-body";

/**
 * The responses that carry message content: the body document, the EML file and attachments. The caller
 * (a route handler) has authorized `content` access; each read is audited before any byte is sent.
 */
type TTarget = { at: Date | undefined; fullView: boolean };

const PRIVATE = { "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" } as const;

/** The sanitised body as a standalone document for the message page's sandboxed iframe. */
export async function bodyResponse(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  target: TTarget & { allowRemote: boolean },
): Promise<Response> {
  const { item } = await loadMessage(access, graphId, target);
  await auditRead(principal, access, "message.body", graphId, {
    versionId: item.versionId,
    sha256: item.sha256,
    at: target.at?.toISOString() ?? null,
    remoteContent: target.allowRemote,
  });
  const body = await readMessageBody(blobStore(), item.sha256);
  const source = body.html ?? body.textAsHtml;
  const rendered = source
    ? sanitizeMessageHtml(source, { allowRemote: target.allowRemote, inlineImages: body.inlineImages })
    : { html: "<p><em>This message has no text.</em></p>", remoteBlocked: 0 };
  const truncated = body.isTruncated
    ? "<hr><p><em>The body is longer than shown here; download the EML file for all of it.</em></p>"
    : "";
  return new Response(bodyDocument(rendered.html + truncated), {
    headers: {
      ...PRIVATE,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": bodyContentSecurityPolicy(target.allowRemote),
      // The portal frames this document itself; nobody else may.
      "X-Frame-Options": "SAMEORIGIN",
      "Referrer-Policy": "no-referrer",
      "X-Coffer-Remote-Blocked": String(rendered.remoteBlocked),
    },
  });
}

/** The archived original bytes, streamed, byte for byte what Microsoft 365 returned. */
export async function emlResponse(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  target: TTarget,
): Promise<Response> {
  const { item } = await loadMessage(access, graphId, target);
  await auditRead(principal, access, "message.eml_download", graphId, {
    versionId: item.versionId,
    sha256: item.sha256,
    size: item.size,
    at: target.at?.toISOString() ?? null,
  });
  const stream = await blobStore().getStream(item.sha256);
  return new Response(toWeb(stream), {
    headers: {
      ...PRIVATE,
      "Content-Type": "message/rfc822",
      "Content-Disposition": contentDisposition(`${item.subject || "message"}.eml`),
      "Content-Length": String(item.size),
    },
  });
}

export async function attachmentResponse(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  index: number,
  target: TTarget,
): Promise<Response> {
  const { item, attachments } = await loadMessage(access, graphId, target);
  const listed = attachments[index];
  if (!listed) throw new AppError("not_found", "This message has no such attachment.");
  await auditRead(principal, access, "message.attachment_download", graphId, {
    versionId: item.versionId,
    sha256: item.sha256,
    attachment: { index, name: listed.name, size: listed.size },
    at: target.at?.toISOString() ?? null,
  });
  const part = await openAttachment(blobStore(), item.sha256, index);
  if (!part) throw new AppError("not_found", "This message has no such attachment.");
  return new Response(toWeb(part.content), {
    headers: {
      ...PRIVATE,
      // Never rendered by the browser from the portal's origin, whatever the message claims it is.
      "Content-Type": "application/octet-stream",
      "Content-Disposition": contentDisposition(part.filename || listed.name),
    },
  });
}

/**
 * A Node stream as a web stream for Response. An error in the source (a blob that fails verification)
 * errors the web stream, and the server then aborts the response instead of ending it: the client sees a
 * failed download, never a complete-looking file with corrupt content.
 */
function toWeb(stream: Readable): ReadableStream<Uint8Array> {
  return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const clean =
    [...name]
      .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === "/" || c === "\\" ? "_" : c))
      .join("")
      .trim()
      .slice(0, 150) || "download";
  const ascii = clean.replace(/[^\x20-\x7e]/g, "_").replace(/["%;]/g, "_");
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
