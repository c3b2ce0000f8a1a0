import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { DefinitionsPage } from "@/modules/admin-tasks/components/definitions-page";
import { loadDefinitions } from "@/modules/admin-tasks/lib/load-pages";
import { parseTaskType, searchParam } from "@/modules/admin-tasks/lib/queries";

export const metadata: Metadata = { title: "Definitions" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await onPage(requireAdmin());
  const params = await searchParams;
  const type = parseTaskType(params.type);
  const { definitions, types } = await loadDefinitions(type);
  return (
    <DefinitionsPage
      types={types}
      definitions={definitions}
      type={type}
      savedId={searchParam(params, "saved")}
      deletedName={searchParam(params, "deleted")}
    />
  );
}
