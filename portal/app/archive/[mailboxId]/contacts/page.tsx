import { getContactCards } from "@coffer/db/archive-pim/index";
import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { blobStore, db } from "@/lib/db";
import { ContactsView } from "@/modules/archive-pim/components/contacts-view";
import { PimFrame } from "@/modules/archive-pim/components/pim-frame";
import { loadSectionStates, readSection } from "@/modules/archive-pim/lib/load-pim";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";

export const metadata: Metadata = { title: "Contacts" };

export default async function Page({
  params,
  searchParams,
}: {
  params: Promise<{ mailboxId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { mailboxId } = await params;
  const { principal, access } = await onPage(requireMailbox(mailboxId, "metadata"));
  const now = new Date();
  const q = parsePimQuery(await searchParams, now);
  const states = await loadSectionStates(access.mailbox.id, q.at);
  const cards = await readSection(principal, access, states, "contacts", q.at, (opts) =>
    getContactCards(db(), blobStore(), access.mailbox.id, opts),
  );
  return (
    <PimFrame access={access} section="contacts" states={states} at={q.at} now={now}>
      <ContactsView mailboxId={access.mailbox.id} at={q.at} cards={cards} />
    </PimFrame>
  );
}
