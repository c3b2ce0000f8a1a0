import { isMailboxActive } from "@coffer/db/mailboxes/mailboxes";
import type { MailboxRow } from "@coffer/db/schema";

/** "Deactivated" / "Deprovisioned" tag for mailboxes that are no longer synced (their archive stays). */
export function MailboxStatusTag({ mailbox }: { mailbox: MailboxRow }) {
  if (isMailboxActive(mailbox)) return null;
  const label = mailbox.deprovisioned_at ? "Deprovisioned" : "Deactivated";
  return (
    <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-semibold text-slate-700">{label}</span>
  );
}
