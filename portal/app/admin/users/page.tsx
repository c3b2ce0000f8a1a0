import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { UsersPage } from "@/modules/admin-users/components/users-page";
import { listUsers, parseUsersQuery } from "@/modules/admin-users/lib/list-users";

export const metadata: Metadata = { title: "Users" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await onPage(requireAdmin());
  const query = parseUsersQuery(await searchParams);
  const { rows, total } = await listUsers(query);
  return <UsersPage principal={principal} query={query} rows={rows} total={total} />;
}
