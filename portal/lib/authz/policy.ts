import type { TMailboxRelation } from "@coffer/db/access/mailbox-access";
import type { MailboxRow } from "@coffer/db/schema";
import type { TPrincipal } from "../auth/identity";
import type { TErrorCode } from "../errors";

/**
 * Who may do what, as pure functions (unit-tested in policy.test.ts); guard.ts applies them to every page,
 * route handler and server action.
 *
 * - A mailbox's owner (mailboxes.entra_id = the token's oid) and its delegates (delegates table, read
 *   sources) read everything in it.
 * - An administrator opens any mailbox and sees its metadata (folders, senders, subjects, dates, sizes);
 *   bodies, original headers, attachments and EML files need the content view grant as well (seed 000:
 *   "as long as the user has content view rights").
 * - Anyone else learns nothing, not even whether the mailbox exists: 404, the same as an unknown id.
 */
export type TMailboxNeed = "metadata" | "content";
export type TAccessVia = "owner" | "delegate" | "admin";
export type TMailboxAccess = { mailbox: MailboxRow; via: TAccessVia; canReadContent: boolean };

export type TDecision<T> = { ok: true; value: T } | { ok: false; code: TErrorCode };

export function decideMailboxAccess(
  principal: TPrincipal | null,
  relation: TMailboxRelation | undefined,
  need: TMailboxNeed,
): TDecision<TMailboxAccess> {
  if (!principal) return { ok: false, code: "unauthenticated" };
  if (!relation) return { ok: false, code: "not_found" };
  const { mailbox } = relation;
  if (relation.isOwner) return { ok: true, value: { mailbox, via: "owner", canReadContent: true } };
  if (relation.delegateSources.length > 0) {
    return { ok: true, value: { mailbox, via: "delegate", canReadContent: true } };
  }
  if (principal.isAdmin) {
    const canReadContent = principal.grants.contentView;
    if (need === "content" && !canReadContent) return { ok: false, code: "forbidden" };
    return { ok: true, value: { mailbox, via: "admin", canReadContent } };
  }
  return { ok: false, code: "not_found" };
}

export function decideSignedIn(principal: TPrincipal | null): TDecision<TPrincipal> {
  return principal ? { ok: true, value: principal } : { ok: false, code: "unauthenticated" };
}

export function decideAdmin(principal: TPrincipal | null): TDecision<TPrincipal> {
  if (!principal) return { ok: false, code: "unauthenticated" };
  // 404, not 403: a non-admin has no reason to learn which admin pages exist.
  return principal.isAdmin ? { ok: true, value: principal } : { ok: false, code: "not_found" };
}
