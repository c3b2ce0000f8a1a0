import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { SnapshotPage } from "@/modules/archive/components/snapshot-page";
import { loadSnapshot } from "@/modules/archive/lib/load-snapshot";
import { parseSnapshotQuery } from "@/modules/archive/lib/snapshot-query";

export const metadata: Metadata = { title: "Mailbox" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { mailboxId } = await params;
  const { access } = await onPage(requireMailbox(mailboxId, "metadata"));
  const now = new Date();
  const query = parseSnapshotQuery(await searchParams, now);
  const snapshot = await onPage(loadSnapshot(access, query));
  return <SnapshotPage access={access} query={query} snapshot={snapshot} now={now} />;
}
