import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { SitesPage } from "@/modules/admin-tasks/components/sites-page";
import { loadSites } from "@/modules/admin-tasks/lib/load-pages";

export const metadata: Metadata = { title: "Synchronization Engine Sites" };

export default async function Page() {
  await onPage(requireAdmin());
  return <SitesPage sites={await loadSites()} />;
}
