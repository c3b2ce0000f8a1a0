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
  ): Promise<{
    messages: number;
    hugeMessageId?: string;
    hugeMessageImmutableId?: string;
    hugeMessageSha256?: string;
  }> {
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

  // ---------- calendars, contacts, To Do, notes (README: "Calendar, contacts, To Do and notes") ----------

  /** The PIM sections of the state, typed: ids and the sha256 of each item's canonical Graph GET. */
  pimState(upn: string): Promise<PimState> {
    return this.call("GET", `${this.u(upn)}/state`);
  }

  createCalendar(upn: string, c: { name: string; color?: string }): Promise<{ id: string }> {
    return this.call("POST", `${this.u(upn)}/calendars`, c);
  }

  updateCalendar(upn: string, id: string, patch: { name?: string }): Promise<{ id: string }> {
    return this.call("PATCH", `${this.u(upn)}/calendars/${encodeURIComponent(id)}`, patch);
  }

  deleteCalendar(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/calendars/${encodeURIComponent(id)}`);
  }

  /**
   * Graph event JSON (start/end as wall-clock `{dateTime, timeZone}`, optional `recurrence`); `calendar`: id or
   * name; `attachments: [{name, contentType, contentBytes}]` adds file attachments.
   */
  createEvent(upn: string, e: Record<string, unknown> & { calendar?: string }): Promise<PimIds> {
    return this.call("POST", `${this.u(upn)}/events`, e);
  }

  /** Replaces the occurrence of `originalStartDate` (yyyy-mm-dd, in the series' zone) with an exception. */
  addEventException(
    upn: string,
    masterId: string,
    e: Record<string, unknown> & { originalStartDate: string },
  ): Promise<PimIds> {
    return this.call("POST", `${this.u(upn)}/events/${encodeURIComponent(masterId)}/exceptions`, e);
  }

  /** Cancels (deletes) one occurrence of a series: it joins `cancelledOccurrences`. */
  cancelOccurrence(upn: string, masterId: string, date: string): Promise<{ id: string }> {
    return this.call("POST", `${this.u(upn)}/events/${encodeURIComponent(masterId)}/cancel`, { date });
  }

  /** Merges properties (`null` removes one); `calendar` moves the event; `addAttachments`, `removeAttachments` (ids). */
  updateEvent(upn: string, id: string, patch: Record<string, unknown>): Promise<PimIds> {
    return this.call("PATCH", `${this.u(upn)}/events/${encodeURIComponent(id)}`, patch);
  }

  deleteEvent(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/events/${encodeURIComponent(id)}`);
  }

  createContactFolder(upn: string, f: { displayName: string; parent?: string }): Promise<{ id: string }> {
    return this.call("POST", `${this.u(upn)}/contact-folders`, f);
  }

  updateContactFolder(
    upn: string,
    id: string,
    patch: { displayName?: string; parent?: string },
  ): Promise<{ id: string }> {
    return this.call("PATCH", `${this.u(upn)}/contact-folders/${encodeURIComponent(id)}`, patch);
  }

  deleteContactFolder(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/contact-folders/${encodeURIComponent(id)}`);
  }

  /** v1.0 or beta contact JSON (beta `phones[]` adds assistant, pager, other… numbers); `folder`: id or name. */
  createContact(upn: string, c: Record<string, unknown> & { folder?: string }): Promise<PimIds> {
    return this.call("POST", `${this.u(upn)}/contacts`, c);
  }

  updateContact(
    upn: string,
    id: string,
    patch: Record<string, unknown> & { folder?: string },
  ): Promise<PimIds> {
    return this.call("PATCH", `${this.u(upn)}/contacts/${encodeURIComponent(id)}`, patch);
  }

  deleteContact(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/contacts/${encodeURIComponent(id)}`);
  }

  createTodoList(upn: string, l: { displayName: string }): Promise<{ id: string }> {
    return this.call("POST", `${this.u(upn)}/todo-lists`, l);
  }

  updateTodoList(upn: string, id: string, patch: { displayName?: string }): Promise<{ id: string }> {
    return this.call("PATCH", `${this.u(upn)}/todo-lists/${encodeURIComponent(id)}`, patch);
  }

  deleteTodoList(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/todo-lists/${encodeURIComponent(id)}`);
  }

  /** todoTask JSON plus `checklistItems: [{displayName, isChecked}]`, `attachments: [{name, contentType, contentBytes}]`. */
  createTask(upn: string, t: Record<string, unknown> & { list?: string }): Promise<TaskIds> {
    return this.call("POST", `${this.u(upn)}/tasks`, t);
  }

  /** Merges properties; `checklistItems` replaces the steps (entries with an existing `id` update it), `addAttachments`, `removeAttachments` (ids), `list` moves. */
  updateTask(upn: string, id: string, patch: Record<string, unknown>): Promise<TaskIds> {
    return this.call("PATCH", `${this.u(upn)}/tasks/${encodeURIComponent(id)}`, patch);
  }

  deleteTask(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/tasks/${encodeURIComponent(id)}`);
  }

  createNote(
    upn: string,
    n: { subject: string; body?: string | { contentType: string; content: string }; categories?: string[] },
  ): Promise<{ id: string }> {
    return this.call("POST", `${this.u(upn)}/notes`, n);
  }

  updateNote(upn: string, id: string, patch: Record<string, unknown>): Promise<{ id: string }> {
    return this.call("PATCH", `${this.u(upn)}/notes/${encodeURIComponent(id)}`, patch);
  }

  deleteNote(upn: string, id: string): Promise<void> {
    return this.call("DELETE", `${this.u(upn)}/notes/${encodeURIComponent(id)}`);
  }
}

/** Events and contacts: immutable id (what the worker sees) and REST id. */
export interface PimIds {
  id: string;
  restId: string;
}

export interface TaskIds {
  id: string;
  checklistItemIds: string[];
  attachmentIds: string[];
}

/** `GET /_sim/users/{upn}/state` PIM sections. Each sha256 is over the exact bytes of the item's canonical GET (README). */
export interface PimState {
  calendars: Array<{ id: string; name: string; isDefault: boolean }>;
  events: Array<{
    id: string;
    restId: string;
    calendarId: string;
    type: "singleInstance" | "seriesMaster";
    subject: string;
    exceptionIds: string[];
    /** File attachments of the event (`/events/{id}/attachments`), sha256 of their bytes. */
    attachments: Array<{ id: string; name: string; size: number; sha256: string }>;
    sha256: string;
  }>;
  contactFolders: Array<{
    id: string;
    displayName: string;
    parentId: string | null;
    wellKnownName: string | null;
  }>;
  contacts: Array<{ id: string; restId: string; folderId: string; displayName: string; sha256: string }>;
  todoLists: Array<{ id: string; displayName: string; wellknownListName: string }>;
  tasks: Array<{
    id: string;
    listId: string;
    title: string;
    checklistItemIds: string[];
    attachments: Array<{ id: string; name: string; size: number; sha256: string }>;
    sha256: string;
  }>;
  notes: Array<{ id: string; subject: string; sha256: string }>;
}
