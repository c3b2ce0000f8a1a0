import "server-only";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { blobStore } from "@/lib/db";
import { auditRead } from "./audit-read";
import { loadMessage, type TMessageView } from "./load-message";
import { readMessageBody } from "./read-mime";
import { sanitizeMessageHtml } from "./render-body";

/** Beyond this size the page does not pre-read the body to count remote images; it offers the switch. */
const REMOTE_CHECK_MAX_BYTES = 10 * 1024 * 1024;

export type TMessagePageData = TMessageView & {
  /** Remote images/styles the body references (blocked unless allowed); undefined when not counted. */
  remoteReferences: number | undefined;
};

/** The message page: metadata for every authorized reader; a content reader also gets the body's frame. */
export async function viewMessage(
  principal: TPrincipal,
  access: TMailboxAccess,
  graphId: string,
  target: { at: Date | undefined; fullView: boolean },
): Promise<TMessagePageData> {
  const view = await loadMessage(access, graphId, target);
  await auditRead(principal, access, "message.view", graphId, {
    versionId: view.item.versionId,
    sha256: view.item.sha256,
    at: target.at?.toISOString() ?? null,
    content: access.canReadContent,
  });
  let remoteReferences: number | undefined;
  if (access.canReadContent && view.item.size <= REMOTE_CHECK_MAX_BYTES) {
    const body = await readMessageBody(blobStore(), view.item.sha256);
    const source = body.html ?? body.textAsHtml;
    remoteReferences = source
      ? sanitizeMessageHtml(source, { allowRemote: false, inlineImages: body.inlineImages }).remoteBlocked
      : 0;
  }
  return { ...view, remoteReferences };
}
