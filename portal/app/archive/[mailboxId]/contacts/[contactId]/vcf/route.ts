// GET /archive/:mailboxId/contacts/:contactId/vcf – the contact as it was at T, as a vCard 4.0 file
import { requireMailbox, withRoute } from "@/lib/authz/guard";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";
import { renderingResponse } from "@/modules/archive-pim/lib/pim-responses";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ mailboxId: string; contactId: string }>(
  async (request, { mailboxId, contactId }) => {
    const { principal, access } = await requireMailbox(mailboxId, "content");
    const q = parsePimQuery(Object.fromEntries(new URL(request.url).searchParams));
    return renderingResponse(principal, access, "contacts", decodeURIComponent(contactId), q.at);
  },
);
