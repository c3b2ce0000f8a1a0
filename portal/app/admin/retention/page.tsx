import { getRetentionSettings } from "@coffer/db/retention/index";
import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { db } from "@/lib/db";
import { RetentionPage } from "@/modules/admin-retention/components/retention-page";

export const metadata: Metadata = { title: "Retention policy" };
export const dynamic = "force-dynamic";

export default async function Page() {
  await onPage(requireAdmin());
  return <RetentionPage settings={await getRetentionSettings(db())} />;
}
