import { getTaskLists } from "@coffer/db/archive-pim/index";
import type { Metadata } from "next";
import { onPage, requireMailbox } from "@/lib/authz/guard";
import { db } from "@/lib/db";
import { PimFrame } from "@/modules/archive-pim/components/pim-frame";
import { TasksView } from "@/modules/archive-pim/components/tasks-view";
import { loadSectionStates, readSection } from "@/modules/archive-pim/lib/load-pim";
import { parsePimQuery } from "@/modules/archive-pim/lib/pim-query";

export const metadata: Metadata = { title: "Tasks" };

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
  const lists = await readSection(principal, access, states, "tasks", q.at, (opts) =>
    getTaskLists(db(), access.mailbox.id, opts),
  );
  return (
    <PimFrame access={access} section="tasks" states={states} at={q.at} now={now}>
      <TasksView mailboxId={access.mailbox.id} at={q.at} lists={lists} />
    </PimFrame>
  );
}
