import "server-only";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { blobStore } from "@/lib/db";
import { auditRead } from "./audit-read";
import { loadMessage, type TMessageView } from "./load-message";
import { readHeaderSection } from "./read-mime";

/** "View original headers": the header section exactly as archived (authentication results and all). */
export async function loadOriginalHeaders(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  target: { at: Date | undefined; fullView: boolean },
): Promise<{ view: TMessageView; headers: { text: string; isTruncated: boolean } }> {
  const view = await loadMessage(access, graphId, target);
  await auditRead(principal, access, "message.headers", graphId, {
    versionId: view.item.versionId,
    sha256: view.item.sha256,
    at: target.at?.toISOString() ?? null,
  });
  return { view, headers: await readHeaderSection(blobStore(), view.item.sha256) };
}
