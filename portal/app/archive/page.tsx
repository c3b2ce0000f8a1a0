import type { Metadata } from "next";
import { onPage, requireSignedIn } from "@/lib/authz/guard";
import { MailboxPickerPage } from "@/modules/archive/components/mailbox-picker-page";
import { listMyMailboxes } from "@/modules/archive/lib/list-my-mailboxes";

export const metadata: Metadata = { title: "Archive" };

export default async function Page() {
  const principal = await onPage(requireSignedIn());
  return <MailboxPickerPage principal={principal} mailboxes={await listMyMailboxes(principal)} />;
}
