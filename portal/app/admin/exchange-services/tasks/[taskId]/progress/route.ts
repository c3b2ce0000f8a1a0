// GET /admin/exchange-services/tasks/:taskId/progress – a task's live status and latest detail (admins only)
import { withRoute } from "@/lib/authz/guard";
import { handleTaskProgress } from "@/modules/admin-tasks/lib/route-handlers";

export const dynamic = "force-dynamic";

export const GET = withRoute<{ taskId: string }>((_request, { taskId }) => handleTaskProgress(taskId));
