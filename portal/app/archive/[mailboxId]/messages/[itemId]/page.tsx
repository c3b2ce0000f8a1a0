import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { MessagePage } from "@/modules/archive/components/message-page";
import { parseMessageQuery } from "@/modules/archive/lib/snapshot-query";
import { viewMessage } from "@/modules/archive/lib/view-message";

export const metadata: Metadata = { title: "Message" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string; itemId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { mailboxId, itemId } = await params;
  const { principal, access } = await onPage(requireMailbox(mailboxId, "metadata"));
  const q = parseMessageQuery(await searchParams);
  const data = await onPage(viewMessage(principal, access, decodeURIComponent(itemId), q));
  return (
    <MessagePage
      access={access}
      data={data}
      at={q.at}
      fullView={q.fullView}
      folder={q.folder}
      allowRemote={q.allowRemote && access.canReadContent}
    />
  );
}
