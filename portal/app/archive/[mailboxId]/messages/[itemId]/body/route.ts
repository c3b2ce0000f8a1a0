// GET /archive/:mailboxId/messages/:itemId/body – the sanitised message body document for the sandboxed frame
import { requireMailbox, withRoute } from "@/lib/authz/guard";
import { bodyResponse } from "@/modules/archive/lib/content-responses";
import { parseMessageQuery } from "@/modules/archive/lib/snapshot-query";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ mailboxId: string; itemId: string }>(
  async (request, { mailboxId, itemId }) => {
    const { principal, access } = await requireMailbox(mailboxId, "content");
    const q = parseMessageQuery(new URL(request.url).searchParams);
    return bodyResponse(principal, access, decodeURIComponent(itemId), q);
  },
);
