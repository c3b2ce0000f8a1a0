// GET /archive/:mailboxId/messages/:itemId/eml – the archived original bytes as a .eml download
import { requireMailbox, withRoute } from "@/lib/authz/guard";
import { emlResponse } from "@/modules/archive/lib/content-responses";
import { parseMessageQuery } from "@/modules/archive/lib/snapshot-query";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ mailboxId: string; itemId: string }>(
  async (request, { mailboxId, itemId }) => {
    const { principal, access } = await requireMailbox(mailboxId, "content");
    const q = parseMessageQuery(new URL(request.url).searchParams);
    return emlResponse(principal, access, decodeURIComponent(itemId), q);
  },
);
