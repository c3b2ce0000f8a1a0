import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { decodeId, encodeId, type IdFormat, ItemKind, type ItemKindCode } from "../ids";
import type { GenMessage, GenMessageMeta, MailboxSpec } from "../tenant-source";
import type { BlobStore } from "./blobs";
import type { ComposedCache } from "./composed-cache";
import {
  type Digest,
  digestOf,
  type HeaderMeta,
  headerEnd,
  type ParsedHeaderMeta,
  readHeaderMeta,
} from "./mime";

/** A generated message composed as a stream (the form too large to keep whole). */
type GenContent = NonNullable<ReturnType<NonNullable<GenMessage["content"]>>>;

/**
 * One Exchange mailbox: a folder tree, messages, and a change log (a mailbox-wide sequence number
 * plus tombstones) from which every delta query is answered.
 */

export interface FolderRec {
  key: number;
  id: string;
  displayName: string;
  parentId: string | null;
  wellKnown?: string;
  hidden: boolean;
  changeSeq: number;
}

export type MsgSrc = { k: "gen"; i: number } | { k: "large"; i: number } | { k: "blob"; sha: string };

export interface SvepRec {
  id: string;
  value: string;
}

export interface RecipientJson {
  emailAddress: { name?: string; address?: string };
}

/** Properties set through Graph JSON (create or PATCH) that override what the MIME says. */
export interface MsgOverrides {
  subject?: string;
  body?: { contentType: string; content: string };
  from?: RecipientJson | null;
  sender?: RecipientJson | null;
  toRecipients?: RecipientJson[];
  ccRecipients?: RecipientJson[];
  bccRecipients?: RecipientJson[];
  replyTo?: RecipientJson[];
  internetMessageId?: string;
  importance?: string;
  inferenceClassification?: string;
  isDeliveryReceiptRequested?: boolean;
  isReadReceiptRequested?: boolean;
  flag?: Record<string, unknown>;
  internetMessageHeaders?: Array<{ name: string; value: string }>;
}

export interface AttachmentRec {
  /** Stable index within the message: part of the attachment id. */
  n: number;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  contentId?: string;
  lastModifiedDateTime: string;
  sha: string;
  type: "file" | "item" | "reference";
  /** A text/calendar body alternative (meeting requests): kept in the MIME, not listed by Graph. */
  hidden?: boolean;
}

export interface MsgRec {
  key: number;
  folderId: string;
  /** Move generation: part of the REST id, so a move changes it. */
  gen: number;
  version: number;
  changeSeq: number;
  /** Sequence number at which the item entered its current folder (created vs updated in delta). */
  enteredSeq: number;
  src: MsgSrc;
  created: string;
  modified: string;
  received: string;
  sent?: string;
  isRead: boolean;
  isDraft: boolean;
  categories?: string[];
  svep?: Record<string, SvepRec>;
  over?: MsgOverrides;
  /**
   * Attachments once they have been materialised (JSON-created messages, or after an attachment
   * was added or removed). Undefined means: the MIME's own attachments.
   */
  atts?: AttachmentRec[];
  nextAtt?: number;
  /** Header lines of the original MIME kept when the MIME is regenerated. */
  keep?: Array<{ name: string; value: string }>;
}

export interface MailboxPermissionRec {
  user: string;
  accessRights: string[];
  isInherited: boolean;
  deny: boolean;
}

export interface RecipientPermissionRec {
  trustee: string;
  accessRights: string[];
  deny: boolean;
}

export interface CalendarPermissionRec {
  id: string;
  emailAddress: { name?: string; address?: string };
  role: string;
  allowedRoles: string[];
  isRemovable: boolean;
  isInsideOrganization: boolean;
}

export interface Permissions {
  mailbox: MailboxPermissionRec[];
  recipient: RecipientPermissionRec[];
  calendar: CalendarPermissionRec[];
}

export const ALLOWED_CALENDAR_ROLES = [
  "none",
  "freeBusyRead",
  "limitedRead",
  "read",
  "write",
  "delegateWithoutPrivateEventAccess",
  "delegateWithPrivateEventAccess",
];

export function calendarPermissionId(address: string | undefined): string {
  return Buffer.from(address ? `${address.toLowerCase()}` : "Default").toString("base64");
}

export function defaultCalendarPermissions(): CalendarPermissionRec[] {
  return [
    {
      id: calendarPermissionId(undefined),
      emailAddress: { name: "My Organization" },
      role: "freeBusyRead",
      allowedRoles: ["none", "freeBusyRead", "limitedRead", "read", "write"],
      isRemovable: false,
      isInsideOrganization: true,
    },
  ];
}

export interface Tomb {
  key: number;
  gen: number;
  seq: number;
}

export const WELL_KNOWN_LAYOUT: Array<{ wk: string; name: string; parent: string | null; hidden?: boolean }> =
  [
    { wk: "msgfolderroot", name: "Top of Information Store", parent: null },
    { wk: "archive", name: "Archive", parent: "msgfolderroot" },
    { wk: "conversationhistory", name: "Conversation History", parent: "msgfolderroot" },
    { wk: "deleteditems", name: "Deleted Items", parent: "msgfolderroot" },
    { wk: "drafts", name: "Drafts", parent: "msgfolderroot" },
    { wk: "inbox", name: "Inbox", parent: "msgfolderroot" },
    { wk: "junkemail", name: "Junk Email", parent: "msgfolderroot" },
    { wk: "outbox", name: "Outbox", parent: "msgfolderroot" },
    { wk: "sentitems", name: "Sent Items", parent: "msgfolderroot" },
    { wk: "syncissues", name: "Sync Issues", parent: "msgfolderroot" },
    { wk: "conflicts", name: "Conflicts", parent: "syncissues" },
    { wk: "localfailures", name: "Local Failures", parent: "syncissues" },
    { wk: "serverfailures", name: "Server Failures", parent: "syncissues" },
    { wk: "scheduled", name: "Scheduled", parent: "msgfolderroot", hidden: true },
    { wk: "", name: "Conversation Action Settings", parent: "msgfolderroot", hidden: true },
    // Outside the IPM subtree: reachable by well-known name only, never enumerated.
    { wk: "recoverableitemsroot", name: "Recoverable Items", parent: null, hidden: true },
    { wk: "recoverableitemsdeletions", name: "Deletions", parent: "recoverableitemsroot", hidden: true },
    { wk: "recoverableitemspurges", name: "Purges", parent: "recoverableitemsroot", hidden: true },
    { wk: "searchfolders", name: "Finder", parent: null, hidden: true },
  ];

export interface MailboxSources {
  blobs: BlobStore;
  /** The generator's spec for this mailbox (generated tenants). */
  gen?: () => MailboxSpec | undefined;
  /** A `generateLargeMailbox` spec attached through the control API. */
  large?: () => MailboxSpec | undefined;
  /** Keeps composed MIME of generated messages (shared by the tenant's mailboxes); none: compose each time. */
  composed?: ComposedCache;
}

export class Mailbox {
  seq = 0;
  nextKey = 1;
  readonly folders = new Map<string, FolderRec>();
  readonly messages = new Map<number, MsgRec>();
  readonly byFolder = new Map<string, Set<number>>();
  readonly msgTombs = new Map<string, Tomb[]>();
  folderTombs: Array<{ id: string; seq: number }> = [];
  /** Parsed header metadata of uploaded MIME and fixtures: derived from the bytes, never persisted. */
  private readonly metaCache = new Map<number, { src: MsgSrc; meta: HeaderMeta }>();
  /** sha256 and size of MIME computed so far (see `digest`); never persisted. */
  private readonly digests = new Map<number, { src: MsgSrc; sha256: string; size: number }>();
  private readonly sortedCache = new Map<string, { ver: number; keys: number[] }>();
  private readonly folderVer = new Map<string, number>();
  large?: { seed: number; messages: number; hugeMessageBytes?: number; upn?: string };
  perms: Permissions = { mailbox: [], recipient: [], calendar: defaultCalendarPermissions() };
  /** Per-feature stores (calendar, contacts, To Do, notes), keyed by feature; persisted with the mailbox. */
  readonly stores = new Map<string, { snapshot(): unknown; restore(v: unknown): void }>();

  constructor(
    readonly guid: string,
    readonly sources: MailboxSources,
  ) {}

  bump(): number {
    this.seq += 1;
    return this.seq;
  }

  // ---------- folders ----------

  folderId(key: number): string {
    return encodeId({ mailboxGuid: this.guid, kind: ItemKind.folder, key, gen: 0 }, "rest");
  }

  initWellKnown(): void {
    for (const f of WELL_KNOWN_LAYOUT) {
      const parent = f.parent ? this.wellKnown(f.parent) : undefined;
      this.addFolder(f.name, parent ? parent.id : null, {
        wellKnown: f.wk || undefined,
        hidden: f.hidden ?? false,
      });
    }
  }

  wellKnown(name: string): FolderRec | undefined {
    const lower = name.toLowerCase();
    for (const f of this.folders.values()) if (f.wellKnown === lower) return f;
    return undefined;
  }

  get root(): FolderRec {
    const r = this.wellKnown("msgfolderroot");
    if (!r) throw new Error("mailbox has no root folder");
    return r;
  }

  addFolder(
    displayName: string,
    parentId: string | null,
    opts: { wellKnown?: string | undefined; hidden?: boolean } = {},
  ): FolderRec {
    const key = this.nextKey++;
    const f: FolderRec = {
      key,
      id: this.folderId(key),
      displayName,
      parentId,
      hidden: opts.hidden ?? false,
      changeSeq: this.bump(),
    };
    if (opts.wellKnown) f.wellKnown = opts.wellKnown;
    this.folders.set(f.id, f);
    this.byFolder.set(f.id, new Set());
    return f;
  }

  /** A folder by id or well-known name. */
  findFolder(idOrName: string): FolderRec | undefined {
    return this.folders.get(idOrName) ?? this.wellKnown(idOrName) ?? this.folderByDecodedId(idOrName);
  }

  private folderByDecodedId(id: string): FolderRec | undefined {
    const d = decodeId(id);
    if (!d || d.kind !== ItemKind.folder || d.mailboxGuid !== this.guid) return undefined;
    return this.folders.get(this.folderId(d.key));
  }

  children(id: string): FolderRec[] {
    const out: FolderRec[] = [];
    for (const f of this.folders.values()) if (f.parentId === id) out.push(f);
    return out;
  }

  /** True when the folder is in the IPM subtree (under msgfolderroot), i.e. visible to mail clients. */
  isIpm(f: FolderRec): boolean {
    const root = this.root;
    let cur: FolderRec | undefined = f;
    while (cur) {
      if (cur.id === root.id) return f.id !== root.id;
      cur = cur.parentId ? this.folders.get(cur.parentId) : undefined;
    }
    return false;
  }

  isUnderOrSelf(f: FolderRec, ancestorId: string): boolean {
    let cur: FolderRec | undefined = f;
    while (cur) {
      if (cur.id === ancestorId) return true;
      cur = cur.parentId ? this.folders.get(cur.parentId) : undefined;
    }
    return false;
  }

  /** "Inbox/Projects/2026" for an IPM folder (relative to msgfolderroot). */
  folderPath(f: FolderRec): string {
    const parts: string[] = [];
    const root = this.root;
    let cur: FolderRec | undefined = f;
    while (cur && cur.id !== root.id) {
      parts.unshift(cur.displayName);
      cur = cur.parentId ? this.folders.get(cur.parentId) : undefined;
    }
    return parts.join("/");
  }

  folderByPath(p: string): FolderRec | undefined {
    let cur: FolderRec | undefined = this.root;
    for (const part of p.split("/").filter(Boolean)) {
      if (!cur) return undefined;
      const lower = part.toLowerCase();
      cur = this.children(cur.id).find((c) => c.displayName.toLowerCase() === lower);
    }
    return cur && cur.id !== this.root.id ? cur : undefined;
  }

  /** Creates missing folders along the path (relative to msgfolderroot) and returns the last one. */
  ensurePath(p: string): FolderRec {
    let cur = this.root;
    const parts = p.split("/").filter(Boolean);
    if (parts.length === 0) throw new Error("empty folder path");
    for (const part of parts) {
      const lower = part.toLowerCase();
      const hit = this.children(cur.id).find((c) => c.displayName.toLowerCase() === lower);
      cur = hit ?? this.addFolder(part, cur.id);
    }
    return cur;
  }

  touchFolder(f: FolderRec): void {
    f.changeSeq = this.bump();
  }

  /** Hard delete of a folder subtree with its messages (control API; Graph deletes move to Deleted Items). */
  removeFolderTree(f: FolderRec): void {
    for (const c of this.children(f.id)) this.removeFolderTree(c);
    for (const key of [...(this.byFolder.get(f.id) ?? [])]) {
      const m = this.messages.get(key);
      if (m) this.removeMessage(m);
    }
    this.folders.delete(f.id);
    this.byFolder.delete(f.id);
    this.folderTombs.push({ id: f.id, seq: this.bump() });
    const parent = f.parentId ? this.folders.get(f.parentId) : undefined;
    if (parent) this.touchFolder(parent);
  }

  // ---------- messages ----------

  messageId(m: Pick<MsgRec, "key" | "gen">, format: IdFormat): string {
    return encodeId({ mailboxGuid: this.guid, kind: ItemKind.message, key: m.key, gen: m.gen }, format);
  }

  /** Resolves a message id in any format; stale REST ids (from before a move) do not resolve. */
  findMessage(id: string): MsgRec | undefined {
    const d = decodeId(id);
    if (!d || d.kind !== ItemKind.message || d.mailboxGuid !== this.guid) return undefined;
    const m = this.messages.get(d.key);
    if (!m) return undefined;
    if (d.gen !== undefined && d.gen !== m.gen) return undefined;
    return m;
  }

  private bumpFolderVer(folderId: string): void {
    this.folderVer.set(folderId, (this.folderVer.get(folderId) ?? 0) + 1);
  }

  addMessage(init: Omit<MsgRec, "key" | "gen" | "version" | "changeSeq" | "enteredSeq">): MsgRec {
    const seq = this.bump();
    const m: MsgRec = { key: this.nextKey++, gen: 0, version: 1, changeSeq: seq, enteredSeq: seq, ...init };
    this.messages.set(m.key, m);
    this.byFolder.get(m.folderId)?.add(m.key);
    this.bumpFolderVer(m.folderId);
    return m;
  }

  /** Records a property change: new change key, new delta sequence. */
  touchMessage(m: MsgRec, now = new Date().toISOString()): void {
    m.version += 1;
    m.changeSeq = this.bump();
    m.modified = now;
    this.bumpFolderVer(m.folderId);
  }

  private tomb(m: MsgRec, folderId: string): void {
    let list = this.msgTombs.get(folderId);
    if (!list) {
      list = [];
      this.msgTombs.set(folderId, list);
    }
    list.push({ key: m.key, gen: m.gen, seq: this.bump() });
  }

  moveMessage(m: MsgRec, dest: FolderRec): void {
    if (m.folderId === dest.id) return;
    this.tomb(m, m.folderId);
    this.byFolder.get(m.folderId)?.delete(m.key);
    this.bumpFolderVer(m.folderId);
    m.folderId = dest.id;
    m.gen += 1;
    m.version += 1;
    const seq = this.bump();
    m.changeSeq = seq;
    m.enteredSeq = seq;
    m.modified = new Date().toISOString();
    this.byFolder.get(dest.id)?.add(m.key);
    this.bumpFolderVer(dest.id);
  }

  removeMessage(m: MsgRec): void {
    this.tomb(m, m.folderId);
    this.byFolder.get(m.folderId)?.delete(m.key);
    this.bumpFolderVer(m.folderId);
    this.messages.delete(m.key);
    this.dropMeta(m);
  }

  /** Messages of a folder, newest first (Graph's default order for message lists). */
  sortedKeys(folderId: string): number[] {
    const ver = this.folderVer.get(folderId) ?? 0;
    const hit = this.sortedCache.get(folderId);
    if (hit && hit.ver === ver) return hit.keys;
    const keys = [...(this.byFolder.get(folderId) ?? [])];
    const recv = (k: number) => this.messages.get(k)?.received ?? "";
    keys.sort((a, b) => {
      const ra = recv(a);
      const rb = recv(b);
      return ra < rb ? 1 : ra > rb ? -1 : b - a;
    });
    this.sortedCache.set(folderId, { ver, keys });
    return keys;
  }

  // ---------- content ----------

  /** The generator's spec behind a generated record (undefined for uploaded MIME). */
  private specOf(m: MsgRec): MailboxSpec | undefined {
    const src = m.src;
    if (src.k === "blob") return undefined;
    const spec = src.k === "gen" ? this.sources.gen?.() : this.sources.large?.();
    if (!spec) throw new Error(`mailbox ${this.guid}: generator spec for message ${m.key} is not available`);
    return spec;
  }

  /** The generator's message behind a generated record (undefined for uploaded MIME). */
  private generated(m: MsgRec): GenMessage | undefined {
    const src = m.src;
    if (src.k === "blob") return undefined;
    return this.specOf(m)?.message(src.i);
  }

  /**
   * A generated message's MIME: in one Buffer from the composed cache, or composed now (and kept when
   * it fits). `serve` says a client reads it (`$value`, body views) rather than the state call hashing
   * it. Too large to keep (the huge benchmark message), or no cache: the composition to stream.
   */
  private compose(m: MsgRec, serve: boolean): { bytes: Buffer } | { content: GenContent } {
    const cache = this.sources.composed;
    const src = m.src as Exclude<MsgSrc, { k: "blob" }>;
    const spec = this.specOf(m) as MailboxSpec;
    const hit = cache?.get(src, spec, serve);
    if (hit) return { bytes: hit };
    const gm = spec.message(src.i);
    let bytes: Buffer;
    if (gm.content) {
      const content = gm.content();
      if (!cache || content.size > cache.maxEntryBytes) return { content };
      bytes = Buffer.concat([...content.chunks()], content.size);
    } else bytes = gm.mime();
    if (cache) {
      // The plan is at hand: its header facts cost little more now, and spare delta pages a planning
      const planned = gm.meta?.();
      cache.put(src, spec, bytes, serve, planned ? metaFromPlan(planned) : undefined);
    }
    return { bytes };
  }

  /** The whole MIME in one Buffer. Prefer `openContent` (streams) or `meta`/`digest` (cached, cheaper). */
  mime(m: MsgRec): Buffer {
    const src = m.src;
    if (src.k === "blob") return this.sources.blobs.get(src.sha);
    const c = this.compose(m, true);
    return "bytes" in c ? c.bytes : Buffer.concat([...c.content.chunks()], c.content.size);
  }

  /**
   * The MIME for `$value`: its size up front (Content-Length) and a stream, or the whole `bytes` when
   * they are in memory (one write, no stream). A generated message is composed once (and kept in the
   * composed cache when it fits) and sent from that composition (the huge benchmark message produces
   * its attachment while it is read); its sha256 is taken on the way, so a later state call is free.
   */
  openContent(m: MsgRec): { size: number; bytes?: Buffer; open(): Readable } {
    const src = m.src;
    if (src.k === "blob") {
      const { blobs } = this.sources;
      const bytes = blobs.peek(src.sha);
      if (bytes) return { size: bytes.length, bytes, open: () => Readable.from([bytes]) };
      return { size: blobs.size(src.sha), open: () => blobs.stream(src.sha) };
    }
    const c = this.compose(m, true);
    const known = this.digests.get(m.key);
    const isKnown = known !== undefined && known.src === src;
    if ("bytes" in c) {
      const { bytes } = c;
      if (!isKnown) this.remember(m, digestOf(bytes));
      return { size: bytes.length, bytes, open: () => Readable.from([bytes]) };
    }
    const { content } = c;
    const chunks = () => coalesce(content.chunks());
    if (isKnown) return { size: content.size, open: () => Readable.from(chunks()) };
    const remember = (d: Digest) => this.remember(m, d);
    return { size: content.size, open: () => Readable.from(hashing(chunks(), src, m, remember)) };
  }

  /** The MIME as a stream (see `openContent`). */
  openMime(m: MsgRec): Readable {
    return this.openContent(m).open();
  }

  /**
   * sha256 and size of the MIME, computed once per message and remembered (about 150 bytes each,
   * so 100,000 generated messages cost some 15 MB). Uploaded MIME is addressed by its sha256
   * already; generated MIME is composed once (kept in the composed cache when it fits, else hashed
   * chunk by chunk and dropped).
   */
  digest(m: MsgRec): Digest {
    const hit = this.digests.get(m.key);
    if (hit && hit.src === m.src) return hit;
    const src = m.src;
    if (src.k === "blob")
      return this.remember(m, { sha256: src.sha, size: this.sources.blobs.size(src.sha) });
    const c = this.compose(m, false);
    if ("bytes" in c) return this.remember(m, digestOf(c.bytes));
    const hash = createHash("sha256");
    let size = 0;
    for (const chunk of c.content.chunks()) {
      hash.update(chunk);
      size += chunk.length;
    }
    return this.remember(m, { sha256: hash.digest("hex"), size });
  }

  /** `digest` by streaming, yielding to the event loop between chunks (the 100 MB benchmark message). */
  async primeDigest(m: MsgRec): Promise<Digest> {
    const hit = this.digests.get(m.key);
    if (hit && hit.src === m.src) return hit;
    for await (const _ of this.openMime(m)) {
      // hashing() remembers the digest when the last chunk has been read
    }
    return this.digest(m);
  }

  private remember(m: MsgRec, d: Digest): Digest {
    const rec = { src: m.src, sha256: d.sha256, size: d.size };
    this.digests.set(m.key, rec);
    return rec;
  }

  /**
   * Header metadata for Graph JSON. Generated messages answer from the generator's plan (no MIME is
   * composed; kept only beside composed bytes in the composed cache, else planned again: about
   * 0.05 ms); uploaded MIME and public fixtures are parsed once and cached (fixtures without their
   * header lines, to keep 100,000-message mailboxes small).
   */
  meta(m: MsgRec): HeaderMeta {
    const hit = this.metaCache.get(m.key);
    if (hit && hit.src === m.src) return hit.meta;
    const src = m.src;
    if (src.k !== "blob" && this.sources.composed) {
      const kept = this.sources.composed.meta(src, this.specOf(m) as MailboxSpec);
      if (kept) return kept;
    }
    const planned = this.generated(m)?.meta?.();
    if (planned) return metaFromPlan(planned);
    const parsed = readHeaderMeta(this.mime(m));
    const meta: HeaderMeta = m.src.k === "blob" ? parsed : withoutHeaderLines(parsed);
    this.metaCache.set(m.key, { src: m.src, meta });
    return meta;
  }

  /** The message's top-level header lines (`internetMessageHeaders`), read from the MIME's header block. */
  headerLines(m: MsgRec): Array<{ name: string; value: string }> {
    const cached = this.metaCache.get(m.key);
    if (cached && cached.src === m.src && "headers" in cached.meta)
      return (cached.meta as ParsedHeaderMeta).headers;
    if (m.src.k === "blob") return readHeaderMeta(this.mime(m)).headers;
    // Generated: the header block is the first piece of the composition; stop reading after it
    const head: Buffer[] = [];
    for (const chunk of (this.generated(m) as GenMessage).content?.().chunks() ?? [this.mime(m)]) {
      head.push(chunk);
      const buf = Buffer.concat(head);
      const { end } = headerEnd(buf);
      if (end < buf.length) return readHeaderMeta(buf.subarray(0, end + 2)).headers;
    }
    return readHeaderMeta(Buffer.concat(head)).headers;
  }

  /** Forgets derived data of a message whose MIME changed. */
  dropMeta(m: MsgRec): void {
    this.metaCache.delete(m.key);
    this.digests.delete(m.key);
  }

  /** Every message in the IPM subtree (what `/messages` lists and the control API reports). */
  *ipmMessages(): Generator<MsgRec> {
    const ipm = new Set<string>();
    for (const f of this.folders.values()) if (this.isIpm(f)) ipm.add(f.id);
    for (const m of this.messages.values()) if (ipm.has(m.folderId)) yield m;
  }

  counts(folderId: string): { total: number; unread: number } {
    let total = 0;
    let unread = 0;
    for (const k of this.byFolder.get(folderId) ?? []) {
      total++;
      if (!this.messages.get(k)?.isRead) unread++;
    }
    return { total, unread };
  }
}

export function kindOf(id: string): ItemKindCode | undefined {
  return decodeId(id)?.kind;
}

/** What the generator's plan says, in the shape header parsing produces (`mailbox.test.ts` checks they agree). */
export function metaFromPlan(g: GenMessageMeta): HeaderMeta {
  const meta: HeaderMeta = {
    subject: g.subject,
    from: g.from,
    sender: g.from,
    to: g.to,
    cc: g.cc,
    bcc: [],
    replyTo: [],
    messageId: g.internetMessageId,
    references: g.references,
    date: new Date(g.sentDateTime).toISOString(),
    importance: g.importance,
    readReceipt: false,
    deliveryReceipt: false,
    hasAttachments: g.hasAttachments,
  };
  if (g.inReplyTo) meta.inReplyTo = g.inReplyTo;
  return meta;
}

function withoutHeaderLines(parsed: ParsedHeaderMeta): HeaderMeta {
  const { headers: _, ...meta } = parsed;
  return meta;
}

const WRITE_SIZE = 64 * 1024;

/**
 * Joins a composition's many small pieces (part headers, boundaries, short bodies) into writes of
 * up to 64 KiB: each chunk of a response stream costs a stream step and a TLS write, and a typical
 * generated message has a dozen or more pieces. Large chunks pass through as they are.
 */
function* coalesce(chunks: Iterable<Buffer>): Generator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for (const chunk of chunks) {
    if (size > 0 && size + chunk.length > WRITE_SIZE) {
      yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
    if (chunk.length >= WRITE_SIZE) yield chunk;
    else {
      pending.push(chunk);
      size += chunk.length;
    }
  }
  if (size > 0) yield pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, size);
}

/**
 * Passes chunks through while hashing them; a complete read (not an aborted download) records the
 * digest, unless the message's MIME changed meanwhile.
 */
function* hashing(
  chunks: Iterable<Buffer>,
  src: MsgSrc,
  m: MsgRec,
  remember: (d: Digest) => void,
): Generator<Buffer> {
  const hash = createHash("sha256");
  let size = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
    yield chunk;
  }
  if (m.src === src) remember({ sha256: hash.digest("hex"), size });
}
