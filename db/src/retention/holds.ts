import { sql } from "kysely";
import { z } from "zod";
import { appendAudit } from "../audit/audit-log";
import type { LegalHoldRow, MailboxRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";
import { parseInput, RetentionError } from "./errors";
import { countExpired, type TExpiryCounts, toExpiryRules } from "./expiry";
import { placeLegalHold, releaseLegalHold } from "./legal-holds";
import { resolveMailboxRef, ZMailboxRef } from "./mailbox-ref";
import type { TActor } from "./policy-change";
import { getEffectiveRules } from "./retention-policies";
import { formatUtc, plural } from "./wording";

/**
 * Legal hold per mailbox (the legal hold page and `coffer hold`), which the seed does not have: while a
 * mailbox is on hold, the purge deletes nothing of it — no history row, no content — whatever the
 * retention rules say. Releasing the hold lets the next purge catch up with the rules.
 *
 * Placing a hold and a purge batch exclude each other: the hold takes a share lock on the mailbox row, a
 * purge batch a no-key-update lock and checks for a hold under it (db/src/purge). So a hold that is
 * placed (committed) is honoured by every purge batch that follows, and a batch in progress finishes first.
 * Every place and release is audited (`legal_hold.place`, `legal_hold.release`).
 */

export const ZPlaceHoldInput = z.object({
  mailbox: ZMailboxRef,
  reason: z
    .string({ error: "Give the reason for the hold, for example the matter or case it is for." })
    .trim()
    .min(1, { error: "Give the reason for the hold, for example the matter or case it is for." })
    .max(1000, { error: "Keep the reason under 1,000 characters." }),
});
export type TPlaceHoldInput = z.input<typeof ZPlaceHoldInput>;

export const ZReleaseHoldInput = z.object({
  mailbox: ZMailboxRef,
  /** Why it is released (kept in the audit log). */
  note: z.string().trim().max(1000, { error: "Keep the note under 1,000 characters." }).optional(),
});
export type TReleaseHoldInput = z.input<typeof ZReleaseHoldInput>;

export const ZListHoldsInput = z
  .object({
    /** Also released holds (the history), newest first. */
    includeReleased: z.boolean().optional(),
    /** Only this mailbox's holds. */
    mailbox: ZMailboxRef.optional(),
  })
  .optional();

export type THoldView = {
  id: string;
  mailboxId: string;
  upn: string;
  displayName: string;
  isMailboxDeprovisioned: boolean;
  reason: string;
  placedBy: string;
  placedAt: Date;
  isActive: boolean;
  releasedBy: string | null;
  releasedAt: Date | null;
};

export type TReleaseHoldResult = {
  hold: THoldView;
  /** What the rules in force make expire in this mailbox now: the next purge deletes it. */
  dueForPurge: TExpiryCounts;
  message: string;
};

/** Places a hold. `conflict` when the mailbox is already on hold (the existing hold is kept as it is). */
export async function placeHold(
  db: DbOrTrx,
  input: unknown,
  options: { actor: TActor },
): Promise<{ hold: THoldView; message: string }> {
  const { mailbox: ref, reason } = parseInput(ZPlaceHoldInput, input);
  return inTransaction(db, async (trx) => {
    const mailbox = await resolveMailboxRef(trx, ref, { lock: "share" });
    const existing = await activeHold(trx, mailbox.id);
    if (existing) {
      throw new RetentionError(
        "conflict",
        `${mailbox.upn} is already on legal hold since ${formatUtc(existing.created_at)}, placed by ${existing.created_by}: ${existing.reason}`,
      );
    }
    const row = await placeLegalHold(trx, { mailboxId: mailbox.id, reason, createdBy: options.actor.upn });
    if (!row)
      throw new RetentionError("conflict", `${mailbox.upn} was put on legal hold at the same moment.`);
    await audit(trx, options.actor, "legal_hold.place", mailbox, { reason, holdId: row.id });
    return {
      hold: toView(row, mailbox),
      message: `${mailbox.upn} is on legal hold: nothing of its archive is deleted until the hold is released.`,
    };
  });
}

/**
 * Releases the mailbox's hold. `not_found` when it has none. The result says what the next purge will
 * delete now that the rules apply again.
 */
export async function releaseHold(
  db: DbOrTrx,
  input: unknown,
  options: { actor: TActor; now?: Date },
): Promise<TReleaseHoldResult> {
  const { mailbox: ref, note } = parseInput(ZReleaseHoldInput, input);
  const { row, mailbox } = await inTransaction(db, async (trx) => {
    const mailbox = await resolveMailboxRef(trx, ref, { lock: "share" });
    const row = await releaseLegalHold(trx, mailbox.id, options.actor.upn);
    if (!row) throw new RetentionError("not_found", `${mailbox.upn} is not on legal hold.`);
    await audit(trx, options.actor, "legal_hold.release", mailbox, {
      holdId: row.id,
      reason: row.reason,
      placedBy: row.created_by,
      placedAt: row.created_at.toISOString(),
      ...(note ? { note } : {}),
    });
    return { row, mailbox };
  });
  const rules = toExpiryRules(await getEffectiveRules(db), options.now ?? new Date());
  const due = (await countExpired(db, rules, { mailboxId: mailbox.id })).totals.toDelete;
  const dueText =
    due.versions + due.folders > 0
      ? ` The next purge deletes what the retention rules no longer keep: ${plural(due.items, "item")} (${plural(due.versions, "version")}).`
      : " Nothing of it is past its retention period.";
  return {
    hold: toView(row, mailbox),
    dueForPurge: due,
    message: `The legal hold on ${mailbox.upn} is released.${dueText}`,
  };
}

/** Holds, active ones by default, newest first, with their mailbox's UPN and name. */
export async function listHolds(db: DbOrTrx, input?: unknown): Promise<THoldView[]> {
  const filter = parseInput(ZListHoldsInput, input) ?? {};
  let q = db
    .selectFrom("legal_holds as h")
    .innerJoin("mailboxes as m", "m.id", "h.mailbox_id")
    .selectAll("h")
    .select(["m.upn", "m.display_name", "m.deprovisioned_at"]);
  if (!filter.includeReleased) q = q.where("h.released_at", "is", null);
  if (filter.mailbox) {
    const mailbox = await resolveMailboxRef(db, filter.mailbox);
    q = q.where("h.mailbox_id", "=", mailbox.id);
  }
  const rows = await q.orderBy(sql`h.released_at IS NULL`, "desc").orderBy("h.created_at", "desc").execute();
  return rows.map((r) =>
    toView(r, {
      id: r.mailbox_id,
      upn: r.upn,
      display_name: r.display_name,
      deprovisioned_at: r.deprovisioned_at,
    }),
  );
}

async function activeHold(db: DbOrTrx, mailboxId: string): Promise<LegalHoldRow | undefined> {
  return db
    .selectFrom("legal_holds")
    .selectAll()
    .where("mailbox_id", "=", mailboxId)
    .where("released_at", "is", null)
    .executeTakeFirst();
}

function toView(
  h: LegalHoldRow,
  m: Pick<MailboxRow, "id" | "upn" | "display_name" | "deprovisioned_at">,
): THoldView {
  return {
    id: h.id,
    mailboxId: m.id,
    upn: m.upn,
    displayName: m.display_name,
    isMailboxDeprovisioned: m.deprovisioned_at !== null,
    reason: h.reason,
    placedBy: h.created_by,
    placedAt: h.created_at,
    isActive: h.released_at === null,
    releasedBy: h.released_by,
    releasedAt: h.released_at,
  };
}

/** An audit entry of one of this area's mailbox actions, in the caller's transaction. */
export async function audit(
  db: DbOrTrx,
  actor: TActor,
  action: string,
  mailbox: Pick<MailboxRow, "id" | "upn">,
  detail: Record<string, unknown>,
): Promise<void> {
  await appendAudit(db, {
    actorUpn: actor.upn,
    actorEntraId: actor.entraId ?? null,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
    action,
    mailboxId: mailbox.id,
    target: mailbox.upn,
    detail,
  });
}
