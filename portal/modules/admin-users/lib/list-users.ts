import "server-only";
import { countMailboxes, listMailboxes } from "@coffer/db/mailboxes/mailboxes";
import type { MailboxRow } from "@coffer/db/schema";
import { db } from "@/lib/db";

export const USERS_PAGE_SIZE = 50;

export type TUsersQuery = { search: string; includeDeactivated: boolean; page: number };

export function parseUsersQuery(params: Record<string, string | string[] | undefined>): TUsersQuery {
  const one = (k: string) => (Array.isArray(params[k]) ? params[k][0] : params[k]) ?? "";
  const page = Number.parseInt(one("p"), 10);
  return {
    search: one("q").trim().slice(0, 200),
    includeDeactivated: one("deactivated") === "1",
    page: Number.isFinite(page) && page > 0 && page < 100_000 ? page : 1,
  };
}

/** The Users page (seed 000: "search for the mailbox, tick the box to include deactivated users"). */
export async function listUsers(q: TUsersQuery): Promise<{ rows: MailboxRow[]; total: number }> {
  const filter = { search: q.search, includeDeactivated: q.includeDeactivated };
  const [rows, total] = await Promise.all([
    listMailboxes(db(), { ...filter, limit: USERS_PAGE_SIZE, offset: (q.page - 1) * USERS_PAGE_SIZE }),
    countMailboxes(db(), filter),
  ]);
  return { rows, total };
}

export function usersHref(q: TUsersQuery): string {
  const p = new URLSearchParams();
  if (q.search) p.set("q", q.search);
  if (q.includeDeactivated) p.set("deactivated", "1");
  if (q.page > 1) p.set("p", String(q.page));
  const qs = p.toString();
  return `/admin/users${qs ? `?${qs}` : ""}`;
}
