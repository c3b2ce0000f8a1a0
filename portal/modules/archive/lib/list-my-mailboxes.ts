import "server-only";
import { type AccessibleMailbox, listAccessibleMailboxes } from "@coffer/db/access/delegates";
import { listMailboxSyncStates, type TMailboxSyncState } from "@coffer/db/archive/index";
import type { TPrincipal } from "@/lib/auth/identity";
import { db } from "@/lib/db";

export type TMyMailbox = AccessibleMailbox & { sync: TMailboxSyncState | undefined };

/** The mailboxes the signed-in person may open: their own first, then those they are a delegate of. */
export async function listMyMailboxes(principal: TPrincipal): Promise<TMyMailbox[]> {
  const mailboxes = await listAccessibleMailboxes(db(), principal.oid);
  const states = await listMailboxSyncStates(
    db(),
    "mail",
    mailboxes.map((m) => m.id),
  );
  return mailboxes.map((m) => ({ ...m, sync: states.find((s) => s.mailboxId === m.id) }));
}
