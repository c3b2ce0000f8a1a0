import "server-only";
import { SettingsError } from "@coffer/worker/config";
import { getTaskProgress, lookupGroups, TaskNotFoundError } from "@coffer/worker/tasks/index";
import { z } from "zod";
import { requireAdmin } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";
import { tasksContext } from "./tasks-context";

/**
 * The admin console's two JSON reads (route handlers wrap these with `withRoute`, which answers refusals
 * with 401/404 and a sentence). Both check the admin role first; neither is cached.
 */

function json(body: unknown): Response {
  return Response.json(body, {
    headers: { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
  });
}

const ZLookupQuery = z.object({ q: z.string().trim().max(200).default("") });

/** GET …/directory/groups?q=Sal — the wizard's "Lookup from AD" (groups whose name starts with q). */
export async function handleGroupLookup(request: Request): Promise<Response> {
  await requireAdmin();
  const query = ZLookupQuery.safeParse({ q: new URL(request.url).searchParams.get("q") ?? undefined });
  if (!query.success) throw new AppError("invalid_input", "The search text can be at most 200 characters.");
  try {
    const groups = await lookupGroups(tasksContext(), query.data.q, 25);
    return json({
      groups: groups.map((g) => ({ id: g.id, displayName: g.displayName, mail: g.mail, kind: g.kind })),
    });
  } catch (error) {
    if (error instanceof SettingsError) throw new AppError("unavailable", error.message);
    console.error("directory group lookup failed", error);
    throw new AppError(
      "unavailable",
      "The directory could not be searched right now. Try again in a minute.",
    );
  }
}

/** GET …/tasks/<id>/progress — the task page polls this while it is open (status, latest detail, counts). */
export async function handleTaskProgress(taskId: string): Promise<Response> {
  await requireAdmin();
  try {
    return json(await getTaskProgress(tasksContext(), taskId));
  } catch (error) {
    if (error instanceof TaskNotFoundError) throw new AppError("not_found", "This task no longer exists.");
    throw error;
  }
}
