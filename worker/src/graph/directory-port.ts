import type { TCallContext, TDirectoryUser } from "./port";

/**
 * The directory side of Graph that Exchange Tasks need (graph-entra-officejs.md C.1, B.1): finding the
 * group a task targets (by id, typed DN or e-mail address), its transitive user members, users by
 * address, and a mailbox's calendar sharing. Implemented by `GraphAdapter` next to the mail operations,
 * so it shares their token, transport, CA and limiter.
 */

/** The four group kinds of C.1 (groupTypes / mailEnabled / securityEnabled). */
export type TGroupKind = "m365" | "security" | "mail_security" | "distribution";

export type TDirectoryGroup = {
  id: string;
  displayName: string;
  mail: string | null;
  kind: TGroupKind;
  /** `SMTP:primary@…`, `smtp:alias@…` as Graph returns them. */
  proxyAddresses: string[];
  /** The on-premises AD DN of a synchronised group ("CN=Sales,OU=Groups,DC=contoso,DC=com"). */
  onPremisesDistinguishedName: string | null;
};

/** One calendar sharing entry of a mailbox's primary calendar. */
export type TCalendarPermission = {
  id: string;
  /** none, freeBusyRead, limitedRead, read, write, delegateWithoutPrivateEventAccess, … */
  role: string;
  /** Null for the "My Organization" and anonymous entries. */
  address: string | null;
  name: string | null;
  isInsideOrganization: boolean;
  isRemovable: boolean;
};

export interface DirectoryPort {
  /** Groups whose display name starts with `prefix` (the console's "Lookup from AD"), up to `limit`. */
  searchGroups(prefix: string, ctx: TCallContext, limit?: number): Promise<TDirectoryGroup[]>;
  /** One group by object id; null when there is none. */
  getGroup(id: string, ctx: TCallContext): Promise<TDirectoryGroup | null>;
  /** Groups whose primary address or one of whose proxy addresses is `address` (case-insensitive). */
  findGroupsByAddress(address: string, ctx: TCallContext): Promise<TDirectoryGroup[]>;
  /** Every group of the tenant (paged), with its on-premises DN: DNs cannot be filtered on in Graph. */
  listGroups(ctx: TCallContext): AsyncIterable<TDirectoryGroup>;
  /** The users in a group, nested groups flattened (`transitiveMembers/microsoft.graph.user`). */
  listTransitiveUserMembers(groupId: string, ctx: TCallContext): AsyncIterable<TDirectoryUser>;
  /** Users whose UPN, primary address or a proxy address is `address`. */
  findUsersByAddress(address: string, ctx: TCallContext): Promise<TDirectoryUser[]>;
  /** The sharing entries of a user's primary calendar. */
  listCalendarPermissions(userId: string, ctx: TCallContext): Promise<TCalendarPermission[]>;
}

export function groupKindOf(g: {
  groupTypes?: string[] | null;
  mailEnabled?: boolean | null;
  securityEnabled?: boolean | null;
}): TGroupKind {
  if (g.groupTypes?.some((t) => t.toLowerCase() === "unified")) return "m365";
  if (g.securityEnabled && g.mailEnabled) return "mail_security";
  if (g.securityEnabled) return "security";
  return "distribution";
}
