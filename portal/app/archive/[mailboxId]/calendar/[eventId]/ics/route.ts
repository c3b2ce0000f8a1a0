// GET /archive/:mailboxId/calendar/:eventId/ics – the event (or series) as it was at T, as an .ics file
import { requireMailbox, withRoute } from "@/lib/authz/guard";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";
import { renderingResponse } from "@/modules/archive-pim/lib/pim-responses";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ mailboxId: string; eventId: string }>(
  async (request, { mailboxId, eventId }) => {
    const { principal, access } = await requireMailbox(mailboxId, "content");
    const q = parsePimQuery(Object.fromEntries(new URL(request.url).searchParams));
    return renderingResponse(principal, access, "calendar", decodeURIComponent(eventId), q.at);
  },
);
