import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { HeadersPage } from "@/modules/archive/components/headers-page";
import { loadOriginalHeaders } from "@/modules/archive/lib/headers";
import { parseMessageQuery } from "@/modules/archive/lib/snapshot-query";

export const metadata: Metadata = { title: "Original headers" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string; itemId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { mailboxId, itemId } = await params;
  const { principal, access } = await onPage(requireMailbox(mailboxId, "content"));
  const q = parseMessageQuery(await searchParams);
  const { view, headers } = await onPage(
    loadOriginalHeaders(principal, access, decodeURIComponent(itemId), q),
  );
  return <HeadersPage access={access} view={view} headers={headers} query={q} />;
}
