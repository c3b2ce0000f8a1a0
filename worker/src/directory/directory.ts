import type { DirectoryPort, TDirectoryGroup } from "../graph/directory-port";
import { newRequestStats } from "../graph/middleware";
import type { GraphPort, TCallContext, TDirectoryUser } from "../graph/port";
import type { MembershipCache, TCachedMembers } from "./membership-cache";

/** What the directory needs from Graph: the directory port plus the user operations of the mail port. */
export type TDirectorySource = DirectoryPort & Pick<GraphPort, "listUsers" | "getUser">;

/** An address belongs to a group, to a user (a mailbox), or to nothing in the directory. */
export type TAddressOwner =
  | { kind: "group"; group: TDirectoryGroup }
  | { kind: "user"; user: TDirectoryUser }
  | { kind: "none" };

/** Lower-cased, without spaces around the commas and equals signs, so typed DNs compare as Entra's do. */
export function normalizeDn(dn: string): string {
  return dn
    .trim()
    .split(/(?<!\\),/)
    .map((rdn) =>
      rdn
        .split("=")
        .map((s) => s.trim())
        .join("="),
    )
    .join(",")
    .toLowerCase();
}

/**
 * Users and groups through Graph for Exchange Tasks, with group membership cached for an hour
 * (membership-cache.ts). Every lookup is a fresh, small Graph call except membership and DN → group,
 * which are the expensive ones (transitiveMembers costs 5 identity units per page; a DN needs a scan).
 */
export class Directory {
  constructor(
    private readonly source: TDirectorySource,
    private readonly cache: MembershipCache,
  ) {}

  private ctx(): TCallContext {
    return { stats: newRequestStats() };
  }

  searchGroups(prefix: string, limit = 25): Promise<TDirectoryGroup[]> {
    return this.source.searchGroups(prefix, this.ctx(), limit);
  }

  getGroup(id: string): Promise<TDirectoryGroup | null> {
    return this.source.getGroup(id, this.ctx());
  }

  /** The group whose on-premises DN is `dn` (Graph cannot filter on it: a scan of groups, cached). */
  async findGroupByDn(dn: string): Promise<TDirectoryGroup | null> {
    const wanted = normalizeDn(dn);
    const id = await this.cache.value<string | null>("dn", wanted, async () => {
      for await (const g of this.source.listGroups(this.ctx())) {
        if (g.onPremisesDistinguishedName && normalizeDn(g.onPremisesDistinguishedName) === wanted)
          return g.id;
      }
      return null;
    });
    return id ? this.getGroup(id) : null;
  }

  /** Whose address this is: a group's first (the seed's "group e-mail address"), else a user's. */
  async findByAddress(address: string): Promise<TAddressOwner> {
    const [group] = await this.source.findGroupsByAddress(address, this.ctx());
    if (group) return { kind: "group", group };
    const [user] = await this.source.findUsersByAddress(address, this.ctx());
    if (user) return { kind: "user", user };
    return { kind: "none" };
  }

  async findUser(address: string): Promise<TDirectoryUser | null> {
    const [user] = await this.source.findUsersByAddress(address, this.ctx());
    return user ?? null;
  }

  /** A group's users, nested groups included, from the one-hour cache or Graph. */
  groupMembers(groupId: string): Promise<TCachedMembers> {
    return this.cache.members(groupId, async () => {
      const seen = new Map<string, TDirectoryUser>();
      for await (const u of this.source.listTransitiveUserMembers(groupId, this.ctx())) seen.set(u.id, u);
      return [...seen.values()];
    });
  }

  /** Every user of the tenant (the caller keeps the enabled, licensed ones). */
  async listUsers(): Promise<TDirectoryUser[]> {
    const out: TDirectoryUser[] = [];
    for await (const u of this.source.listUsers(this.ctx())) out.push(u);
    return out;
  }
}
