// GET /archive/:mailboxId/tasks/:taskId/attachments/:partId – a task attachment's archived bytes at T
import { requireMailbox, withRoute } from "@/lib/authz/guard";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";
import { taskAttachmentResponse } from "@/modules/archive-pim/lib/pim-responses";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ mailboxId: string; taskId: string; partId: string }>(
  async (request, { mailboxId, taskId, partId }) => {
    const { principal, access } = await requireMailbox(mailboxId, "content");
    const q = parsePimQuery(Object.fromEntries(new URL(request.url).searchParams));
    return taskAttachmentResponse(
      principal,
      access,
      decodeURIComponent(taskId),
      decodeURIComponent(partId),
      q.at,
    );
  },
);
