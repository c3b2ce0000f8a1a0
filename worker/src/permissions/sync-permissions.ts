import { listDelegates, replaceDelegates, type TDelegate } from "@coffer/db/access/delegates";
import type { DelegateSource, MailboxRow, TRunSkip } from "@coffer/db/schema";
import type { DbOrTrx } from "@coffer/db/transaction";
import type { Directory } from "../directory/directory";
import type { DirectoryPort } from "../graph/directory-port";
import type { ExchangeAdminPort } from "../graph/exchange-admin";
import { newRequestStats } from "../graph/middleware";
import type { TDirectoryUser } from "../graph/port";
import type { TPermissionsSyncSettings } from "../tasks/task-types";

/**
 * Mailbox Permissions Sync: who may open a mailbox's archive as a delegate, read from Microsoft 365 into
 * `delegates` (the table the portal authorizes with):
 * - Full Access: Exchange `Get-MailboxPermission` (InvokeCommand; Graph has no API for it, C.2);
 * - Send As: Exchange `Get-RecipientPermission` (recorded, but Send As alone grants no archive access:
 *   READ_ACCESS_SOURCES in db/src/access/delegates.ts);
 * - calendar: Graph `calendarPermissions`, roles `read` and above (B.1).
 *
 * Each source is replaced as a whole (`replaceDelegates`), so a permission removed in Microsoft 365
 * removes the delegate at the next run. A source switched off in the definition is left as it is.
 * Ignored, as Exchange's own tools ignore them: `NT AUTHORITY\SELF` and other `DOMAIN\account` system
 * principals, inherited entries, and users with a Deny entry for the same right.
 */

/** Calendar roles that let the delegate read the calendar's items (freeBusy/limitedRead do not). */
export const CALENDAR_READ_ROLES: ReadonlySet<string> = new Set([
  "read",
  "write",
  "delegateWithoutPrivateEventAccess",
  "delegateWithPrivateEventAccess",
]);

export type TPermissionsDeps = {
  db: DbOrTrx;
  exchange: ExchangeAdminPort;
  directory: Directory;
  graph: Pick<DirectoryPort, "listCalendarPermissions">;
};

export type TPermissionsResult = {
  added: number;
  changed: number;
  removed: number;
  skips: TRunSkip[];
  /** Delegates per source after the run. */
  counts: Partial<Record<DelegateSource, number>>;
};

/** `NT AUTHORITY\SELF`, `S-1-5-…` SIDs and `DOMAIN\account` principals are not directory users. */
export function isSystemPrincipal(name: string): boolean {
  return name.includes("\\") || /^S-1-\d/i.test(name);
}

export async function syncMailboxPermissions(
  deps: TPermissionsDeps,
  mailbox: Pick<MailboxRow, "id" | "entra_id" | "upn">,
  settings: TPermissionsSyncSettings,
  signal?: AbortSignal,
): Promise<TPermissionsResult> {
  const result: TPermissionsResult = { added: 0, changed: 0, removed: 0, skips: [], counts: {} };
  const users = new Map<string, TDirectoryUser | null>();
  const resolve = async (name: string): Promise<TDirectoryUser | null> => {
    const key = name.toLowerCase();
    if (!users.has(key)) users.set(key, await deps.directory.findUser(name));
    return users.get(key) ?? null;
  };
  const toDelegates = async (
    names: Iterable<[string, string]>,
    source: DelegateSource,
  ): Promise<TDelegate[]> => {
    const out: TDelegate[] = [];
    for (const [name, rights] of names) {
      const user = await resolve(name);
      if (!user) {
        result.skips.push({
          graphId: name,
          reason: "delegate_not_found",
          detail: `${source}: no directory user ${name}`,
        });
        continue;
      }
      if (user.id === mailbox.entra_id) continue;
      out.push({ entraId: user.id, upn: user.userPrincipalName, rights });
    }
    return out;
  };

  if (settings.fullAccess) {
    signal?.throwIfAborted();
    const entries = await deps.exchange.getMailboxPermissions(mailbox.upn, signal);
    const relevant = entries.filter(
      (e) =>
        !e.isInherited &&
        !isSystemPrincipal(e.user) &&
        e.accessRights.some((r) => r.toLowerCase() === "fullaccess"),
    );
    const denied = new Set(relevant.filter((e) => e.deny).map((e) => e.user.toLowerCase()));
    const allowed = new Map<string, string>();
    for (const e of relevant)
      if (!e.deny && !denied.has(e.user.toLowerCase())) allowed.set(e.user, "FullAccess");
    await replaceSource(
      deps.db,
      mailbox.id,
      "full_access",
      await toDelegates(allowed, "full_access"),
      result,
    );
  }

  if (settings.sendAs) {
    signal?.throwIfAborted();
    const entries = await deps.exchange.getRecipientPermissions(mailbox.upn, signal);
    const relevant = entries.filter(
      (e) =>
        !e.isInherited &&
        !isSystemPrincipal(e.trustee) &&
        e.accessRights.some((r) => r.toLowerCase() === "sendas"),
    );
    const denied = new Set(relevant.filter((e) => e.isDeny).map((e) => e.trustee.toLowerCase()));
    const allowed = new Map<string, string>();
    for (const e of relevant)
      if (!e.isDeny && !denied.has(e.trustee.toLowerCase())) allowed.set(e.trustee, "SendAs");
    await replaceSource(deps.db, mailbox.id, "send_as", await toDelegates(allowed, "send_as"), result);
  }

  if (settings.calendar) {
    signal?.throwIfAborted();
    const entries = await deps.graph.listCalendarPermissions(mailbox.entra_id, {
      stats: newRequestStats(),
      ...(signal ? { signal } : {}),
    });
    const allowed = new Map<string, string>();
    for (const e of entries) {
      // "My Organization" and anonymous entries have no address: they are not delegates.
      if (e.address && CALENDAR_READ_ROLES.has(e.role)) allowed.set(e.address, e.role);
    }
    await replaceSource(deps.db, mailbox.id, "calendar", await toDelegates(allowed, "calendar"), result);
  }
  return result;
}

async function replaceSource(
  db: DbOrTrx,
  mailboxId: string,
  source: DelegateSource,
  delegates: TDelegate[],
  result: TPermissionsResult,
): Promise<void> {
  const before = new Map(
    (await listDelegates(db, mailboxId))
      .filter((d) => d.source === source)
      .map((d) => [d.delegate_entra_id, d]),
  );
  const after = await replaceDelegates(db, mailboxId, source, delegates);
  for (const d of after) {
    const old = before.get(d.delegate_entra_id);
    if (!old) result.added++;
    else if (old.rights !== d.rights || old.delegate_upn !== d.delegate_upn) result.changed++;
    before.delete(d.delegate_entra_id);
  }
  result.removed += before.size;
  result.counts[source] = after.length;
}
