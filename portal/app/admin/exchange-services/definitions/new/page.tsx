import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { DefinitionForm } from "@/modules/admin-tasks/components/definition-form";
import { AdminPage } from "@/modules/admin-tasks/components/ui";
import { loadDefinitions } from "@/modules/admin-tasks/lib/load-pages";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";
import { parseTaskType } from "@/modules/admin-tasks/lib/queries";

export const metadata: Metadata = { title: "New definition" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await onPage(requireAdmin());
  const type = parseTaskType((await searchParams).type) ?? "folder_replication";
  const { types } = await loadDefinitions(type);
  const info = types.find((t) => t.type === type);
  return (
    <AdminPage
      section="definitions"
      title="New definition"
      breadcrumbs={[
        { href: adminPaths.dashboard, label: "Exchange Services" },
        { href: adminPaths.definitions(), label: "Definitions" },
      ]}
    >
      <div className="max-w-2xl">
        <DefinitionForm initial={{ type, name: "", settings: info?.defaultSettings ?? {} }} types={types} />
      </div>
    </AdminPage>
  );
}
