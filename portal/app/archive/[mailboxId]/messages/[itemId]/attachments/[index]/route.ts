// GET /archive/:mailboxId/messages/:itemId/attachments/:index – one attachment of the archived message
import { requireMailbox, withRoute } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";
import { attachmentResponse } from "@/modules/archive/lib/content-responses";
import { parseMessageQuery } from "@/modules/archive/lib/snapshot-query";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ mailboxId: string; itemId: string; index: string }>(
  async (request, { mailboxId, itemId, index }) => {
    const { principal, access } = await requireMailbox(mailboxId, "content");
    if (!/^\d{1,4}$/.test(index)) throw new AppError("not_found", "This message has no such attachment.");
    const q = parseMessageQuery(new URL(request.url).searchParams);
    return attachmentResponse(principal, access, decodeURIComponent(itemId), Number(index), q);
  },
);
