import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { SchedulesPage } from "@/modules/admin-tasks/components/schedules-page";
import { loadSchedules } from "@/modules/admin-tasks/lib/load-pages";
import { searchParam } from "@/modules/admin-tasks/lib/queries";

export const metadata: Metadata = { title: "Schedules" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await onPage(requireAdmin());
  const params = await searchParams;
  return (
    <SchedulesPage
      schedules={await loadSchedules()}
      savedId={searchParam(params, "saved")}
      deletedName={searchParam(params, "deleted")}
    />
  );
}
