import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { NewTaskWizard } from "@/modules/admin-tasks/components/new-task-wizard";
import { AdminPage } from "@/modules/admin-tasks/components/ui";
import { loadWizard } from "@/modules/admin-tasks/lib/load-pages";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";
import { parseTaskType } from "@/modules/admin-tasks/lib/queries";

export const metadata: Metadata = { title: "New Exchange Task" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await onPage(requireAdmin());
  const initialType = parseTaskType((await searchParams).type);
  const data = await loadWizard();
  return (
    <AdminPage
      section="tasks"
      title="New Exchange Task"
      breadcrumbs={[
        { href: adminPaths.dashboard, label: "Exchange Services" },
        { href: adminPaths.tasks(), label: "Exchange Tasks" },
      ]}
    >
      <NewTaskWizard {...data} {...(initialType ? { initialType } : {})} />
    </AdminPage>
  );
}
