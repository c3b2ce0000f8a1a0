import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { deleteDefinitionAction } from "@/modules/admin-tasks/actions";
import { DefinitionDetails } from "@/modules/admin-tasks/components/definition-details";
import { DefinitionForm } from "@/modules/admin-tasks/components/definition-form";
import { DeleteButton } from "@/modules/admin-tasks/components/delete-button";
import { AdminPage } from "@/modules/admin-tasks/components/ui";
import { loadDefinition } from "@/modules/admin-tasks/lib/load-pages";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";

export const metadata: Metadata = { title: "Definition" };

export default async function Page({ params }: { params: Promise<{ definitionId: string }> }) {
  await onPage(requireAdmin());
  const { definition, types } = await loadDefinition((await params).definitionId);
  return (
    <AdminPage
      section="definitions"
      title={definition.name}
      intro={`${definition.typeLabel} definition, version ${definition.version}.`}
      breadcrumbs={[
        { href: adminPaths.dashboard, label: "Exchange Services" },
        { href: adminPaths.definitions(definition.type), label: "Definitions" },
      ]}
      actions={
        <DeleteButton
          action={deleteDefinitionAction}
          id={definition.id}
          name={definition.name}
          what="definition"
        />
      }
    >
      <div className="grid gap-10 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <DefinitionForm
          initial={{
            id: definition.id,
            type: definition.type,
            name: definition.name,
            settings: definition.settings,
          }}
          types={types}
        />
        <DefinitionDetails definition={definition} />
      </div>
    </AdminPage>
  );
}
