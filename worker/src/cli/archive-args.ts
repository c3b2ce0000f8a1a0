import type { Db } from "@coffer/db/client";
import { CliError } from "./command";

/** `--at <iso>`: an RFC 3339 time (a date alone means its start, UTC). */
export function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new CliError(`--at must be an ISO 8601 time, like 2026-11-21T10:00:00Z; got "${value}"`, 2);
  return d;
}

/** The archived mailbox of a UPN, or a CliError saying it was never synced. */
export async function archivedMailbox(db: Db, upn: string): Promise<{ id: string; upn: string }> {
  const { findMailboxByUpn } = await import("@coffer/db/mailboxes/mailboxes");
  const m = await findMailboxByUpn(db, upn);
  if (!m) throw new CliError(`${upn} is not in the archive (run \`coffer sync ${upn}\` first)`);
  return m;
}
