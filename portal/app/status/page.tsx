import type { Metadata } from "next";
import { connection } from "next/server";
import { StatusPanel } from "@/modules/health/components/status-panel";
import { checkHealth } from "@/modules/health/lib/check-health";

export const metadata: Metadata = { title: "System status" };

export default async function Page() {
  await connection(); // a status page is only true at request time, never prerendered
  return <StatusPanel report={await checkHealth()} />;
}
