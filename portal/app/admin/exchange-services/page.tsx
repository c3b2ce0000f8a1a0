import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { DashboardPage } from "@/modules/admin-tasks/components/dashboard-page";
import { loadDashboard } from "@/modules/admin-tasks/lib/load-pages";

export const metadata: Metadata = { title: "Exchange Services" };

export default async function Page() {
  await onPage(requireAdmin());
  const { dashboard, sites } = await loadDashboard();
  return <DashboardPage dashboard={dashboard} sites={sites} />;
}
