import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { OverviewPage } from "@/modules/admin-overview/components/overview-page";
import { loadOverview } from "@/modules/admin-overview/lib/load-overview";

export const metadata: Metadata = { title: "Sync Overview" };

export default async function Page() {
  await onPage(requireAdmin());
  return <OverviewPage data={await loadOverview()} />;
}
