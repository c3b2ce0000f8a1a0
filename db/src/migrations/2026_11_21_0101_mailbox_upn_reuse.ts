import { type Kysely, sql } from "kysely";

/**
 * A UPN is unique among live accounts only. When Entra hard-deletes a user, its UPN can be given to a new
 * account (a new Entra id); the old mailbox's archive must stay under its old UPN. So uniqueness of
 * lower(upn) now covers mailboxes that are not deprovisioned, and a plain index serves look-ups.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX mailboxes_upn_lower`.execute(db);
  await sql`CREATE UNIQUE INDEX mailboxes_upn_lower_active ON mailboxes (lower(upn)) WHERE deprovisioned_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX mailboxes_upn_lower ON mailboxes (lower(upn))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX mailboxes_upn_lower`.execute(db);
  await sql`DROP INDEX mailboxes_upn_lower_active`.execute(db);
  await sql`CREATE UNIQUE INDEX mailboxes_upn_lower ON mailboxes (lower(upn))`.execute(db);
}
