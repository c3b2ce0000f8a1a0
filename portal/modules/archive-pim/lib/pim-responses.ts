import "server-only";
import { readPimOriginal, readPimPart } from "@coffer/db/archive-pim/index";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { blobStore, db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { auditRead } from "@/modules/archive/lib/audit-read";

/**
 * Downloads of calendar and contacts renderings (.ics, .vcf) and task attachments. The route handler has
 * authorized `content` access; every download is audited before a byte is sent.
 */
const PRIVATE = { "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff" } as const;

function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function renderingResponse(
  principal: TPrincipal,
  access: TMailboxAccess,
  type: "calendar" | "contacts",
  graphId: string,
  at: Date | undefined,
): Promise<Response> {
  const original = await readPimOriginal(
    db(),
    blobStore(),
    access.mailbox.id,
    type,
    graphId,
    at ? { at } : {},
  );
  if (!original?.rendering) {
    throw new AppError(
      "not_found",
      `This ${type === "calendar" ? "event" : "contact"} is not in the archive at the chosen time.`,
    );
  }
  await auditRead(
    principal,
    access,
    type === "calendar" ? "calendar.ics_download" : "contacts.vcf_download",
    graphId,
    {
      versionId: original.item.versionId,
      sha256: original.item.sha256,
      at: at?.toISOString() ?? null,
    },
  );
  return new Response(original.rendering.text, {
    headers: {
      ...PRIVATE,
      "Content-Type": original.rendering.contentType,
      "Content-Disposition": attachment(original.rendering.fileName),
    },
  });
}

/** A task attachment of the task version current at T. */
export async function taskAttachmentResponse(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  partId: string,
  at: Date | undefined,
): Promise<Response> {
  const original = await readPimOriginal(
    db(),
    blobStore(),
    access.mailbox.id,
    "tasks",
    graphId,
    at ? { at } : {},
  );
  const part = original?.item.parts.find((p) => p.partId === partId);
  if (!original || !part)
    throw new AppError("not_found", "This attachment is not in the archive at the chosen time.");
  await auditRead(principal, access, "tasks.attachment_download", graphId, {
    versionId: original.item.versionId,
    partId,
    sha256: part.sha256,
    at: at?.toISOString() ?? null,
  });
  const read = await readPimPart(db(), blobStore(), original.item.versionId, partId);
  if (!read) throw new AppError("not_found", "This attachment is not in the archive at the chosen time.");
  return new Response(new Uint8Array(read.bytes), {
    headers: {
      ...PRIVATE,
      "Content-Type": "application/octet-stream",
      "Content-Disposition": attachment(part.name || "attachment"),
    },
  });
}
