import { sql } from "kysely";
import { z } from "zod";
import type { MailboxRow } from "../schema";
import type { DbOrTrx } from "../transaction";
import { RetentionError } from "./errors";

/** How forms and the CLI name a mailbox: its UPN (or primary address), or its id in Coffer. */
export const ZMailboxRef = z
  .string({ error: "Say which mailbox: its user principal name (UPN), address or id." })
  .trim()
  .min(1, "Say which mailbox: its user principal name (UPN), address or id.")
  .max(320, "A mailbox address is at most 320 characters long.");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The mailbox a reference names. By UPN or address, a live mailbox wins over de-provisioned ones (a UPN
 * can have been held by several accounts over time); `prefer: "deprovisioned"` picks the most recently
 * de-provisioned one instead (re-provisioning). Throws `not_found` with a sentence naming the reference.
 */
export async function resolveMailboxRef(
  db: DbOrTrx,
  ref: string,
  opts: { prefer?: "live" | "deprovisioned"; lock?: "share" | "update" } = {},
): Promise<MailboxRow> {
  const value = ref.trim();
  let q = db.selectFrom("mailboxes").selectAll();
  if (UUID.test(value)) {
    q = q.where("id", "=", value.toLowerCase());
  } else {
    const lower = value.toLowerCase();
    q = q
      .where((eb) => eb.or([eb(sql`lower(upn)`, "=", lower), eb(sql`lower(mail)`, "=", lower)]))
      // An exact UPN beats a primary address; then live (or de-provisioned) first, the newest first.
      .orderBy(sql`lower(upn) = ${lower}`, "desc")
      .orderBy(sql`deprovisioned_at IS NULL`, opts.prefer === "deprovisioned" ? "asc" : "desc")
      .orderBy("deprovisioned_at", "desc");
  }
  q = q.limit(1);
  if (opts.lock === "share") q = q.forShare();
  if (opts.lock === "update") q = q.forNoKeyUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new RetentionError("not_found", `No archived mailbox has the address or id ${value}.`);
  return row;
}
