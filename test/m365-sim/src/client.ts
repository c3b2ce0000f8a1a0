import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import type { Faults, MailboxStats, ThrottleLimits } from "./limits";

/**
 * Typed client for the simulator's control API (`/_sim/…`), for tests, benchmarks and tools across
 * the repo. Trusts the simulator CA explicitly, so it works without NODE_EXTRA_CA_CERTS.
 *
 *   const sim = await startSimulator();            // or: new SimControl({ url, caFile })
 *   const ctl = new SimControl(sim);
 *   const { id } = await ctl.createUser({ userPrincipalName: "a@contoso.example", displayName: "A" });
 */

export interface SimUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  accountEnabled: boolean;
  licensed: boolean;
  userPurpose: string;
  hasMailbox: boolean;
}

export interface NewUser {
  userPrincipalName: string;
  displayName: string;
  accountEnabled?: boolean;
  licensed?: boolean;
  /** user | shared | room | equipment …: shared/room/equipment get a mailbox even when unlicensed. */
  userPurpose?: string;
  /** Default: licensed or a non-user purpose. */
  hasMailbox?: boolean;
  givenName?: string;
  surname?: string;
  mail?: string;
  department?: string;
  jobTitle?: string;
  /** Sign-in password on the authorize page (default: the demo password). */
  password?: string;
}

export interface MessageState {
  id: string;
  immutableId: string;
  folderPath: string;
  internetMessageId: string | null;
  sha256: string;
  size: number;
  receivedDateTime: string;
  isRead: boolean;
  isDraft: boolean;
}

export interface MailboxState {
  folders: Array<{ id: string; path: string; hidden: boolean; wellKnownName: string | null }>;
  messages: MessageState[];
  /** Calendar, contacts, To Do and notes sections (see README). */
  [section: string]: unknown;
}

export interface StatsResponse {
  total: MailboxStats;
  /** Keyed by user principal name. */
  mailboxes: Record<string, MailboxStats>;
  faultsInjected: number;
}

export type FaultSettings = Partial<Omit<Faults, "limits">> & { limits?: Partial<ThrottleLimits> };

export interface UploadedMessage {
  id: string;
  immutableId: string;
  sha256: string;
  size: number;
}

export interface SimGroup {
  id: string;
  displayName: string;
  mail: string | null;
  kind: "m365" | "security" | "mailSecurity" | "distribution";
  proxyAddresses: string[];
  onPremisesDistinguishedName: string | null;
  memberIds: string[];
}

export interface NewGroup {
  displayName: string;
  kind: "m365" | "security" | "mailSecurity" | "distribution";
  mail?: string;
  proxyAddresses?: string[];
  onPremisesDistinguishedName?: string;
  onPremisesSyncEnabled?: boolean;
  description?: string;
  memberUpns?: string[];
  memberGroupIds?: string[];
}

export interface MailboxPermission {
  user: string;
  accessRights: string[];
  isInherited: boolean;
  deny: boolean;
}

export interface RecipientPermission {
  trustee: string;
  accessRights: string[];
  deny: boolean;
}

export interface CalendarPermission {
  id: string;
  emailAddress: { name?: string; address?: string };
  role: string;
  allowedRoles: string[];
  isRemovable: boolean;
  isInsideOrganization: boolean;
}

export class SimControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`simulator control API answered ${status}: ${body}`);
  }
}

export class SimControl {
  readonly url: string;
  private readonly agent: Agent;

  constructor(target: { url: string; caPem?: string; caFile?: string }) {
    this.url = target.url.replace(/\/$/, "");
    const ca = target.caPem ?? (target.caFile ? readFileSync(target.caFile, "utf8") : undefined);
    this.agent = new Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
  }

  /** Releases pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  async raw(
    method: string,
    path: string,
    body?: Buffer | string | object,
    contentType?: string,
  ): Promise<{ status: number; text: string }> {
    let payload: Buffer | undefined;
    let type = contentType;
    if (Buffer.isBuffer(body)) payload = body;
    else if (typeof body === "string") payload = Buffer.from(body, "utf8");
    else if (body !== undefined) {
      payload = Buffer.from(JSON.stringify(body), "utf8");
      type ??= "application/json";
    }
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}${path}`,
        {
          method,
          agent: this.agent,
          headers: {
            ...(type ? { "content-type": type } : {}),
            ...(payload ? { "content-length": payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
          );
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  private async call<T>(
    method: string,
    path: string,
    body?: Buffer | string | object,
    contentType?: string,
  ): Promise<T> {
    const r = await this.raw(method, path, body, contentType);
    if (r.status >= 400) throw new SimControlError(r.status, r.text);
    return (r.text ? JSON.parse(r.text) : undefined) as T;
  }

  private u(upn: string): string {
    return `/_sim/users/${encodeURIComponent(upn)}`;
  }

  health(): Promise<{ status: string; tenantId: string; users: number }> {
    return this.call("GET", "/_sim/health");
  }

  tenant(): Promise<{
    tenantId: string;
    domain: string;
    authority: string;
    graphUrl: string;
    clientId: string;
    clientSecret: string;
    portalClientId: string;
    portalClientSecret: string;
  }> {
    return this.call("GET", "/_sim/tenant");
  }

  /** A deterministic generated tenant, or an empty one. Also resets faults, stats and throttling windows. */
  reset(
    opts:
      | { seed: number; users?: number; messagesPerUser?: number; generator?: "stand-in" }
      | { empty: true },
  ): Promise<{ users: number }> {
    return this.call("POST", "/_sim/reset", opts);
  }

  users(): Promise<SimUser[]> {
    return this.call("GET", "/_sim/users");
  }

  createUser(u: NewUser): Promise<{ id: string }> {
    return this.call("POST", "/_sim/users", u);
  }

  updateUser(
    upn: string,
    patch: Partial<
      Pick<
        NewUser,
        "displayName" | "accountEnabled" | "licensed" | "userPurpose" | "password" | "department" | "jobTitle"
      >
    >,
  ): Promise<{ id: string }> {
    return this.call("PATCH", this.u(upn), patch);
  }

  deleteUser(upn: string): Promise<void> {
    return this.call("DELETE", this.u(upn));
  }

  /** Creates the folder and any missing parents ("Inbox/Projects/2026"). */
  createFolder(upn: string, path: string): Promise<{ id: string; path: string }> {
    return this.call("POST", `${this.u(upn)}/folders`, { path });
  }

  /** Renames and/or moves (parentPath "" = top level). `idOrPath` may be a folder id or its path. */
  updateFolder(
    upn: string,
    idOrPath: string,
    patch: { displayName?: string; parentPath?: string },
  ): Promise<{ id: string; path: string }> {
    return this.call("PATCH", `${this.u(upn)}/folders/${encodeURIComponent(idOrPath)}`, patch);
  }

  /** Hard-deletes the folder, its subfolders and their messages. */
  deleteFolder(upn: string, idOrPath: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/folders/${encodeURIComponent(idOrPath)}`);
  }

  /** Delivers raw RFC 5322 bytes; Graph `$value` returns exactly these bytes. */
  uploadMessage(
    upn: string,
    mime: Buffer | string,
    opts: { folder?: string; receivedDateTime?: string | Date; isRead?: boolean } = {},
  ): Promise<UploadedMessage> {
    const qs = new URLSearchParams();
    if (opts.folder) qs.set("folder", opts.folder);
    if (opts.receivedDateTime)
      qs.set(
        "receivedDateTime",
        typeof opts.receivedDateTime === "string"
          ? opts.receivedDateTime
          : opts.receivedDateTime.toISOString(),
      );
    if (opts.isRead !== undefined) qs.set("isRead", String(opts.isRead));
    const q = qs.toString();
    return this.call(
      "POST",
      `${this.u(upn)}/messages${q ? `?${q}` : ""}`,
      typeof mime === "string" ? Buffer.from(mime, "utf8") : mime,
      "message/rfc822",
    );
  }

  /** Moves like a user would (the REST id changes, the immutable id does not). */
  moveMessage(upn: string, id: string, folder: string): Promise<{ id: string; immutableId: string }> {
    return this.call("POST", `${this.u(upn)}/messages/${encodeURIComponent(id)}/move`, { folder });
  }

  updateMessage(
    upn: string,
    id: string,
    patch: { isRead?: boolean; categories?: string[] },
  ): Promise<{ id: string }> {
    return this.call("PATCH", `${this.u(upn)}/messages/${encodeURIComponent(id)}`, patch);
  }

  /** Hard delete by default; `soft` moves it to Deleted Items like the Delete key in Outlook. */
  deleteMessage(upn: string, id: string, opts: { soft?: boolean } = {}): Promise<void> {
    return this.call(
      "DELETE",
      `${this.u(upn)}/messages/${encodeURIComponent(id)}${opts.soft ? "?soft=true" : ""}`,
    );
  }

  /** Adds `generateLargeMailbox` messages (lazily generated; cheap in memory). */
  largeMailbox(
    upn: string,
    p: { seed?: number; messages: number; hugeMessageBytes?: number; generator?: "stand-in" },
  ): Promise<{ messages: number }> {
    return this.call("POST", `${this.u(upn)}/large-mailbox`, p);
  }

  /** The truth now: folders and messages (and the PIM sections) of one mailbox. */
  state(upn: string): Promise<MailboxState> {
    return this.call("GET", `${this.u(upn)}/state`);
  }

  faults(): Promise<Faults> {
    return this.call("GET", "/_sim/faults");
  }

  /** Replaces the fault settings; unspecified fields take their defaults (throttle: the start-up setting). */
  setFaults(f: FaultSettings): Promise<Faults> {
    return this.call("PUT", "/_sim/faults", f);
  }

  stats(): Promise<StatsResponse> {
    return this.call("GET", "/_sim/stats");
  }

  resetStats(): Promise<void> {
    return this.call("DELETE", "/_sim/stats");
  }

  /** Lifetime of tokens issued from now on (default 3599 s), to exercise token refresh. */
  setTokenLifetime(seconds: number): Promise<{ seconds: number }> {
    return this.call("PUT", "/_sim/token-lifetime", { seconds });
  }

  // ---------- groups ----------

  groups(): Promise<SimGroup[]> {
    return this.call("GET", "/_sim/groups");
  }

  /** `kind`: m365 (Unified), security, mailSecurity (mail-enabled security) or distribution. */
  createGroup(g: NewGroup): Promise<{ id: string }> {
    return this.call("POST", "/_sim/groups", g);
  }

  deleteGroup(id: string): Promise<void> {
    return this.call("DELETE", `/_sim/groups/${encodeURIComponent(id)}`);
  }

  addGroupMember(
    groupId: string,
    member: { upn: string } | { groupId: string },
  ): Promise<{ id: string; memberIds: string[] }> {
    return this.call("POST", `/_sim/groups/${encodeURIComponent(groupId)}/members`, member);
  }

  removeGroupMember(groupId: string, member: { upn: string } | { groupId: string }): Promise<void> {
    const m = "upn" in member ? member.upn : member.groupId;
    return this.call(
      "DELETE",
      `/_sim/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(m)}`,
    );
  }

  // ---------- permissions (Exchange admin API and calendarPermissions read these) ----------

  permissions(upn: string): Promise<{
    mailboxPermissions: MailboxPermission[];
    recipientPermissions: RecipientPermission[];
    calendarPermissions: CalendarPermission[];
  }> {
    return this.call("GET", `${this.u(upn)}/permissions`);
  }

  /** Replaces the FullAccess/ReadPermission rows (Get-MailboxPermission adds NT AUTHORITY\SELF itself). */
  setMailboxPermissions(
    upn: string,
    rows: Array<{ user: string; accessRights: string[]; isInherited?: boolean; deny?: boolean }>,
  ): Promise<MailboxPermission[]> {
    return this.call("PUT", `${this.u(upn)}/mailbox-permissions`, rows);
  }

  /** Replaces the SendAs rows (Get-RecipientPermission adds NT AUTHORITY\SELF itself). */
  setRecipientPermissions(
    upn: string,
    rows: Array<{ trustee: string; accessRights?: string[]; deny?: boolean }>,
  ): Promise<RecipientPermission[]> {
    return this.call("PUT", `${this.u(upn)}/recipient-permissions`, rows);
  }

  /** Replaces the primary calendar's permissions; the "My Organization" entry is kept when not given. */
  setCalendarPermissions(
    upn: string,
    rows: Array<{
      emailAddress: { name?: string; address?: string };
      role: string;
      isInsideOrganization?: boolean;
    }>,
  ): Promise<CalendarPermission[]> {
    return this.call("PUT", `${this.u(upn)}/calendar-permissions`, rows);
  }

  /** Any other control endpoint (see README). */
  request<T>(method: string, path: string, body?: object): Promise<T> {
    return this.call(method, path, body);
  }
}
