import { getNotes } from "@coffer/db/archive-pim/index";
import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { blobStore, db } from "@/lib/db";
import { NotesView } from "@/modules/archive-pim/components/notes-view";
import { PimFrame } from "@/modules/archive-pim/components/pim-frame";
import { auditPimRead, loadSectionStates, stateOf } from "@/modules/archive-pim/lib/load-pim";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";

export const metadata: Metadata = { title: "Notes" };

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
  let notes: Awaited<ReturnType<typeof getNotes>> = [];
  if (access.canReadContent && stateOf(states, "notes").state === "present") {
    await auditPimRead(principal, access, "notes.view", "notes", { at: q.at?.toISOString() ?? null });
    notes = await getNotes(db(), blobStore(), access.mailbox.id, q.at ? { at: q.at } : {});
  }
  return (
    <PimFrame access={access} section="notes" states={states} at={q.at} now={now}>
      <NotesView notes={notes} />
    </PimFrame>
  );
}
