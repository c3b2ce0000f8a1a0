import { createHash, randomBytes, randomUUID } from "node:crypto";
import type {
  GeneratedTenant,
  Generator,
  LargeMailboxParams,
  MailboxSpec,
  TenantParams,
} from "../tenant-source";
import type { BlobStore } from "./blobs";
import { ComposedCache } from "./composed-cache";
import { type Chain, ChainStore } from "./delta";
import {
  type CalendarPermissionRec,
  calendarPermissionId,
  defaultCalendarPermissions,
  type FolderRec,
  Mailbox,
  type MsgRec,
  type Tomb,
} from "./mailbox";

export function normalizeCalendarPermission(c: Record<string, unknown>): CalendarPermissionRec {
  const email = (c.emailAddress ?? {}) as { name?: string; address?: string };
  return {
    id: typeof c.id === "string" ? c.id : calendarPermissionId(email.address),
    emailAddress: {
      ...(email.name !== undefined ? { name: email.name } : {}),
      ...(email.address !== undefined ? { address: email.address } : {}),
    },
    role: typeof c.role === "string" ? c.role : "freeBusyRead",
    allowedRoles: Array.isArray(c.allowedRoles)
      ? (c.allowedRoles as string[])
      : [
          "none",
          "freeBusyRead",
          "limitedRead",
          "read",
          "write",
          "delegateWithoutPrivateEventAccess",
          "delegateWithPrivateEventAccess",
        ],
    isRemovable: typeof c.isRemovable === "boolean" ? c.isRemovable : email.address !== undefined,
    isInsideOrganization: typeof c.isInsideOrganization === "boolean" ? c.isInsideOrganization : true,
  };
}

/** Directory objects, app registrations and mailboxes of one simulated tenant. */

export interface UserRec {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  accountEnabled: boolean;
  licensed: boolean;
  userPurpose: string;
  jobTitle: string | null;
  department: string | null;
  createdDateTime: string;
  hasMailbox: boolean;
  /** Sign-in password on the simulator's authorize page; the documented demo password when unset. */
  password?: string;
  /** App roles assigned to the user on the portal's app registration: the `roles` claim of its tokens. */
  appRoles?: string[];
}

export interface GroupRec {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  onPremisesDistinguishedName: string | null;
  onPremisesSyncEnabled: boolean | null;
  proxyAddresses: string[];
  memberIds: string[];
  createdDateTime: string;
}

export interface AppReg {
  kind: "worker" | "portal";
  displayName: string;
  clientId: string;
  clientSecret: string;
  servicePrincipalId: string;
  /** Application permissions (app roles) granted per resource, e.g. Graph and Exchange Online. */
  roles: Record<string, string[]>;
}

/** Microsoft 365 E3 — the SKU the simulator assigns to licensed users. */
export const E3_SKU = "05e9a617-0261-4cee-bb44-138d3ef5d965";
export const GRAPH_RESOURCE = "https://graph.microsoft.com";
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const EXCHANGE_RESOURCE = "https://outlook.office365.com";
export const DEMO_PASSWORD = "Coffer-Demo-1";

export function stableUuid(...parts: Array<string | number>): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  // RFC 4122 version 4 layout, so it looks like any other object id
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16] as string, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function secret(): string {
  // Entra client secrets are 40 characters with a `~` in them
  return `${randomBytes(3).toString("base64url")}8Q~${randomBytes(27).toString("base64url").slice(0, 35)}`;
}

export function newApps(): { worker: AppReg; portal: AppReg } {
  return {
    worker: {
      kind: "worker",
      displayName: "Coffer Archive Worker",
      clientId: randomUUID(),
      clientSecret: secret(),
      servicePrincipalId: randomUUID(),
      roles: {
        [GRAPH_RESOURCE]: [
          "Mail.ReadWrite",
          "MailboxSettings.Read",
          "User.Read.All",
          "Group.Read.All",
          "GroupMember.Read.All",
          "Calendars.ReadWrite",
          "Contacts.ReadWrite",
          "Tasks.ReadWrite.All",
          "Notes.Read.All",
        ],
        [EXCHANGE_RESOURCE]: ["Exchange.ManageAsApp"],
      },
    },
    portal: {
      kind: "portal",
      displayName: "Coffer Portal",
      clientId: randomUUID(),
      clientSecret: secret(),
      servicePrincipalId: randomUUID(),
      roles: {},
    },
  };
}

export interface TenantSnapshot {
  format: "coffer-m365-sim";
  version: 1;
  tenantId: string;
  domain: string;
  apps: { worker: AppReg; portal: AppReg };
  generator: { kind: "generator" | "stand-in"; params: TenantParams } | null;
  users: UserRec[];
  groups: GroupRec[];
  mailboxes: Array<{
    guid: string;
    seq: number;
    nextKey: number;
    large?: LargeMailboxParams;
    folders: FolderRec[];
    folderTombs: Array<{ id: string; seq: number }>;
    messages: MsgRec[];
    msgTombs: Record<string, Tomb[]>;
    extra?: Record<string, unknown>;
  }>;
  chains: Chain[];
}

export class Tenant {
  domain = "contoso.example";
  users = new Map<string, UserRec>();
  private upnIndex = new Map<string, string>();
  groups = new Map<string, GroupRec>();
  mailboxes = new Map<string, Mailbox>();
  readonly chains = new ChainStore();
  generator: { kind: "generator" | "stand-in"; params: TenantParams } | null = null;
  private generated?: GeneratedTenant;
  private largeSpecs = new Map<string, MailboxSpec>();
  private gen?: Generator;
  /** Called after every mutation; the simulator debounces a state save on it. */
  onChange: () => void = () => {};
  /** Called for every new mailbox (feature modules attach their stores) and after generation. */
  static mailboxHooks: Array<(t: Tenant, mbx: Mailbox) => void> = [];
  /** Called after `populate` with each mailbox's generator spec (feature modules import PIM data). */
  static populateHooks: Array<(t: Tenant, mbx: Mailbox, spec: MailboxSpec) => void> = [];

  constructor(
    readonly tenantId: string,
    readonly apps: { worker: AppReg; portal: AppReg },
    readonly blobs: BlobStore,
    /** Composed MIME of generated messages, shared by the mailboxes (see composed-cache.ts). */
    readonly composed: ComposedCache = new ComposedCache(),
  ) {}

  changed(): void {
    this.onChange();
  }

  userByIdOrUpn(idOrUpn: string): UserRec | undefined {
    const lower = idOrUpn.toLowerCase();
    const byId = this.users.get(lower);
    if (byId) return byId;
    const id = this.upnIndex.get(lower);
    return id ? this.users.get(id) : undefined;
  }

  mailboxOf(u: UserRec): Mailbox | undefined {
    return u.hasMailbox ? this.mailboxes.get(u.id) : undefined;
  }

  newMailbox(guid: string): Mailbox {
    const mbx = new Mailbox(guid, {
      blobs: this.blobs,
      gen: () => this.genSpec(guid),
      large: () => this.largeSpec(guid),
      composed: this.composed,
    });
    this.mailboxes.set(guid, mbx);
    for (const h of Tenant.mailboxHooks) h(this, mbx);
    return mbx;
  }

  addUser(u: Omit<UserRec, "id" | "createdDateTime"> & { id?: string; createdDateTime?: string }): UserRec {
    const id = (u.id ?? randomUUID()).toLowerCase();
    if (this.userByIdOrUpn(u.userPrincipalName))
      throw new Error(`user ${u.userPrincipalName} already exists`);
    const rec: UserRec = { ...u, id, createdDateTime: u.createdDateTime ?? new Date().toISOString() };
    this.users.set(id, rec);
    this.upnIndex.set(rec.userPrincipalName.toLowerCase(), id);
    if (rec.hasMailbox && !this.mailboxes.has(id)) this.newMailbox(id).initWellKnown();
    this.changed();
    return rec;
  }

  /** Deprovisions a user: the directory object, its mailbox and its group memberships go away. */
  removeUser(id: string): void {
    const u = this.users.get(id);
    if (!u) return;
    this.users.delete(id);
    this.upnIndex.delete(u.userPrincipalName.toLowerCase());
    this.mailboxes.delete(id);
    for (const g of this.groups.values()) g.memberIds = g.memberIds.filter((m) => m !== id);
    this.changed();
  }

  addGroup(g: Omit<GroupRec, "id" | "createdDateTime"> & { id?: string }): GroupRec {
    const rec: GroupRec = { ...g, id: g.id ?? randomUUID(), createdDateTime: new Date().toISOString() };
    this.groups.set(rec.id, rec);
    this.changed();
    return rec;
  }

  private genSpec(guid: string): MailboxSpec | undefined {
    if (!this.generated) return undefined;
    const u = this.users.get(guid);
    return u ? this.generated.mailboxes[u.userPrincipalName] : undefined;
  }

  private largeSpec(guid: string): MailboxSpec | undefined {
    const hit = this.largeSpecs.get(guid);
    if (hit) return hit;
    const p = this.mailboxes.get(guid)?.large;
    if (!p || !this.gen) return undefined;
    const spec = this.gen.generateLargeMailbox({
      ...p,
      upn: p.upn ?? this.users.get(guid)?.userPrincipalName,
    });
    this.largeSpecs.set(guid, spec);
    return spec;
  }

  clearDirectory(): void {
    this.users.clear();
    this.upnIndex.clear();
    this.groups.clear();
    this.mailboxes.clear();
    this.largeSpecs.clear();
    this.chains.clear();
    this.generated = undefined;
    this.generator = null;
  }

  /** Builds the directory and mailboxes from the generator (messages stay recipes). */
  populate(gen: Generator, params: TenantParams): GeneratedTenant {
    this.clearDirectory();
    this.gen = gen;
    const t = gen.generateTenant(params);
    this.generated = t;
    this.generator = { kind: gen.kind, params };
    this.domain = t.domain ?? t.users[0]?.userPrincipalName.split("@")[1] ?? this.domain;
    for (const gu of t.users) {
      const spec = t.mailboxes[gu.userPrincipalName];
      this.addUser({
        id: stableUuid("user", params.seed, gu.userPrincipalName.toLowerCase()),
        userPrincipalName: gu.userPrincipalName,
        displayName: gu.displayName,
        givenName: gu.givenName ?? null,
        surname: gu.surname ?? null,
        mail: gu.mail ?? null,
        accountEnabled: gu.accountEnabled,
        licensed: gu.licensed,
        userPurpose: gu.userPurpose ?? "user",
        jobTitle: gu.jobTitle ?? null,
        department: gu.department ?? null,
        createdDateTime: "2024-01-15T09:00:00Z",
        hasMailbox: spec !== undefined,
      });
    }
    const groupIdByName = new Map<string, string>();
    for (const g of t.groups)
      groupIdByName.set(g.displayName.toLowerCase(), stableUuid("group", params.seed, g.displayName));
    for (const g of t.groups) {
      const memberIds: string[] = [];
      for (const upn of g.memberUpns) {
        const u = this.userByIdOrUpn(upn);
        if (u) memberIds.push(u.id);
      }
      for (const name of g.memberGroupNames) {
        const id = groupIdByName.get(name.toLowerCase());
        if (id) memberIds.push(id);
      }
      const nick = (g.mail ?? g.displayName).split("@")[0]?.replace(/[^A-Za-z0-9._-]/g, "") ?? "group";
      this.addGroup({
        id: groupIdByName.get(g.displayName.toLowerCase()) as string,
        displayName: g.displayName,
        description: g.description ?? null,
        mail: g.mail ?? null,
        mailNickname: nick,
        mailEnabled: g.mailEnabled,
        securityEnabled: g.securityEnabled,
        groupTypes: g.groupTypes,
        onPremisesDistinguishedName: g.onPremisesDistinguishedName ?? null,
        onPremisesSyncEnabled: g.onPremisesSyncEnabled ?? null,
        proxyAddresses: g.proxyAddresses,
        memberIds,
      });
    }
    for (const u of this.users.values()) {
      const spec = t.mailboxes[u.userPrincipalName];
      const mbx = this.mailboxes.get(u.id);
      if (!spec || !mbx) continue;
      mbx.perms = {
        mailbox: (spec.mailboxPermissions ?? []).map((p) => ({
          user: p.user,
          accessRights: [...p.accessRights],
          isInherited: p.isInherited ?? false,
          deny: p.deny ?? false,
        })),
        recipient: (spec.recipientPermissions ?? []).map((p) => ({
          trustee: p.trustee,
          accessRights: [...p.accessRights],
          deny: p.deny ?? false,
        })),
        calendar: spec.calendarPermissions?.length
          ? spec.calendarPermissions.map((c) => normalizeCalendarPermission(c))
          : defaultCalendarPermissions(),
      };
      for (const p of spec.folders) mbx.ensurePath(p);
      const drafts = mbx.wellKnown("drafts")?.id;
      for (let i = 0; i < spec.messageCount; i++) {
        const gm = spec.message(i);
        const folder = mbx.folderByPath(gm.folderPath) ?? mbx.ensurePath(gm.folderPath);
        const received =
          typeof gm.receivedDateTime === "string"
            ? new Date(gm.receivedDateTime).toISOString()
            : gm.receivedDateTime.toISOString();
        mbx.addMessage({
          folderId: folder.id,
          src: { k: "gen", i },
          created: received,
          modified: received,
          received,
          isRead: gm.isRead,
          isDraft: folder.id === drafts,
        });
      }
      for (const h of Tenant.populateHooks) h(this, mbx, spec);
    }
    this.changed();
    return t;
  }

  /** Re-attaches generator specs after loading a snapshot (messages are recipes over them). */
  attachGenerator(gen: Generator): void {
    this.gen = gen;
    if (this.generator) this.generated = gen.generateTenant(this.generator.params);
  }

  /** Adds `generateLargeMailbox` messages to a mailbox (benchmarks: 100,000+ items, lazily built). */
  async addLargeMailbox(mbx: Mailbox, gen: Generator, p: LargeMailboxParams): Promise<number> {
    this.gen = gen;
    mbx.large = p;
    this.largeSpecs.delete(mbx.guid);
    const spec = this.largeSpec(mbx.guid);
    if (!spec) throw new Error("large mailbox spec unavailable");
    for (const f of spec.folders) mbx.ensurePath(f);
    for (let i = 0; i < spec.messageCount; i++) {
      const gm = spec.message(i);
      const folder = mbx.folderByPath(gm.folderPath) ?? mbx.ensurePath(gm.folderPath);
      const received = new Date(gm.receivedDateTime).toISOString();
      mbx.addMessage({
        folderId: folder.id,
        src: { k: "large", i },
        created: received,
        modified: received,
        received,
        isRead: gm.isRead,
        isDraft: false,
      });
    }
    await this.primeLarge(mbx);
    this.changed();
    return spec.messageCount;
  }

  /** The huge benchmark message (message 0 with `hugeMessageBytes`) gets its sha256 by streaming, now. */
  async primeLarge(mbx: Mailbox): Promise<void> {
    if (!mbx.large?.hugeMessageBytes) return;
    for (const m of mbx.messages.values()) {
      if (m.src.k === "large" && m.src.i === 0) await mbx.primeDigest(m);
    }
  }

  snapshot(): TenantSnapshot {
    return {
      format: "coffer-m365-sim",
      version: 1,
      tenantId: this.tenantId,
      domain: this.domain,
      apps: this.apps,
      generator: this.generator,
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      mailboxes: [...this.mailboxes.values()].map((m) => {
        const out: TenantSnapshot["mailboxes"][number] = {
          guid: m.guid,
          seq: m.seq,
          nextKey: m.nextKey,
          folders: [...m.folders.values()],
          folderTombs: m.folderTombs,
          messages: [...m.messages.values()],
          msgTombs: Object.fromEntries(m.msgTombs),
        };
        if (m.large) out.large = m.large;
        const extra: Record<string, unknown> = { perms: m.perms };
        for (const [k, st] of m.stores) extra[k] = st.snapshot();
        out.extra = extra;
        return out;
      }),
      chains: this.chains.toJSON(),
    };
  }

  restore(s: TenantSnapshot): void {
    this.clearDirectory();
    this.domain = s.domain;
    this.generator = s.generator;
    for (const u of s.users) {
      this.users.set(u.id, u);
      this.upnIndex.set(u.userPrincipalName.toLowerCase(), u.id);
    }
    for (const g of s.groups) this.groups.set(g.id, g);
    for (const sm of s.mailboxes) {
      const m = this.newMailbox(sm.guid);
      m.seq = sm.seq;
      m.nextKey = sm.nextKey;
      if (sm.large) m.large = sm.large;
      for (const f of sm.folders) {
        m.folders.set(f.id, f);
        m.byFolder.set(f.id, new Set());
      }
      m.folderTombs = sm.folderTombs;
      for (const msg of sm.messages) {
        m.messages.set(msg.key, msg);
        m.byFolder.get(msg.folderId)?.add(msg.key);
      }
      for (const [fid, tombs] of Object.entries(sm.msgTombs)) m.msgTombs.set(fid, tombs);
      if (sm.extra) {
        if (sm.extra.perms) m.perms = sm.extra.perms as Mailbox["perms"];
        for (const [k, st] of m.stores) if (sm.extra[k] !== undefined) st.restore(sm.extra[k]);
      }
    }
    this.chains.load(s.chains);
  }
}
