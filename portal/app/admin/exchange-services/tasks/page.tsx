import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { TaskListPage } from "@/modules/admin-tasks/components/task-list-page";
import { loadTaskList } from "@/modules/admin-tasks/lib/load-pages";
import { parseTaskListQuery, searchParam } from "@/modules/admin-tasks/lib/queries";

export const metadata: Metadata = { title: "Exchange Tasks" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await onPage(requireAdmin());
  const params = await searchParams;
  const query = parseTaskListQuery(params);
  const { tasks, sites, types } = await loadTaskList(query);
  return (
    <TaskListPage
      tasks={tasks}
      query={query}
      types={types}
      sites={sites}
      createdId={searchParam(params, "created")}
      removedName={searchParam(params, "removed")}
    />
  );
}
