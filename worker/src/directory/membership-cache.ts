import type { Redis } from "ioredis";
import type { TDirectoryUser } from "../graph/port";

/**
 * The seed's one-hour cache of group membership: "It keeps a local cache of the group membership
 * discovered. This cache lasts for one hour. … it can take up to an hour for the change to be reflected
 * in an Exchange task." Kept in Redis so every worker of every site shares it (a group resolved by one
 * task is not fetched again by the next within the hour).
 *
 * Freshness is decided against an injectable clock (`now`), not Redis's TTL, so tests can move time
 * without sleeping; the Redis expiry (TTL plus a margin) only cleans up.
 */
export const MEMBERSHIP_TTL_MS = 60 * 60_000;

export type TCachedMembers = {
  members: TDirectoryUser[];
  /** When the members were read from the directory (clock ms). */
  fetchedAt: number;
  /** True when served from the cache rather than the directory. */
  isCached: boolean;
};

export type TMembershipCacheOptions = {
  ttlMs?: number;
  now?: () => number;
};

export class MembershipCache {
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: TMembershipCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? MEMBERSHIP_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  private key(scope: string, id: string): string {
    return `${this.prefix}:directory:${scope}:${id.toLowerCase()}`;
  }

  /** The members of `groupId`, from the cache when younger than the TTL, else from `load` (then cached). */
  async members(groupId: string, load: () => Promise<TDirectoryUser[]>): Promise<TCachedMembers> {
    const hit = await this.read<TDirectoryUser[]>("members", groupId);
    if (hit) return { members: hit.value, fetchedAt: hit.at, isCached: true };
    const members = await load();
    const at = await this.write("members", groupId, members);
    return { members, fetchedAt: at, isCached: false };
  }

  /** A small value (a DN's group id) cached like membership: for an hour. */
  async value<T>(scope: string, id: string, load: () => Promise<T>): Promise<T> {
    const hit = await this.read<T>(scope, id);
    if (hit) return hit.value;
    const value = await load();
    await this.write(scope, id, value);
    return value;
  }

  /** Forgets a group's cached membership (an admin asked for the current members). */
  async invalidate(groupId: string): Promise<void> {
    await this.redis.del(this.key("members", groupId));
  }

  private async read<T>(scope: string, id: string): Promise<{ value: T; at: number } | undefined> {
    const raw = await this.redis.get(this.key(scope, id));
    if (!raw) return undefined;
    try {
      const entry = JSON.parse(raw) as { at: number; value: T };
      const age = this.now() - entry.at;
      return age >= 0 && age < this.ttlMs ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  private async write(scope: string, id: string, value: unknown): Promise<number> {
    const at = this.now();
    // Expiry in real time is only housekeeping; a margin so a slow clock in tests never loses an entry.
    await this.redis.set(this.key(scope, id), JSON.stringify({ at, value }), "PX", this.ttlMs * 2);
    return at;
  }
}
