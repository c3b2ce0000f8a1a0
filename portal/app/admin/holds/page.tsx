import { listHolds } from "@coffer/db/retention/index";
import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { db } from "@/lib/db";
import { HoldsPage } from "@/modules/admin-retention/components/holds-page";

export const metadata: Metadata = { title: "Legal holds" };
export const dynamic = "force-dynamic";

export default async function Page() {
  await onPage(requireAdmin());
  return <HoldsPage holds={await listHolds(db(), { includeReleased: true })} />;
}
