import { createHash } from "node:crypto";
import type { Mailbox, MsgRec, RecipientJson, SvepRec } from "../model/mailbox";
import { type BodyInfo, conversationKey, type EmailAddress, parseBody } from "../model/mime";
import { type ExpandItem, type Expr, evaluate, getProp, parseFilter, visit } from "../odata";

/** Graph JSON for messages: built from header metadata, overrides and record fields. */

export function isoZ(s: string | undefined | null): string | null {
  if (!s) return null;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return s;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function recipient(a: EmailAddress | undefined): RecipientJson | null {
  if (!a) return null;
  return { emailAddress: { name: a.name || a.address, address: a.address } };
}

/** A change key's first 16 bytes depend only on the mailbox: built once per mailbox, not per item. */
const changeKeyHeads = new WeakMap<Mailbox, Buffer>();

export function changeKeyOf(mbx: Mailbox, m: Pick<MsgRec, "key" | "version">): string {
  let head = changeKeyHeads.get(mbx);
  if (!head) {
    head = Buffer.alloc(16);
    head.writeUInt32LE(0x16, 0);
    Buffer.from(mbx.guid.replace(/-/g, ""), "hex").copy(head, 4, 0, 12);
    changeKeyHeads.set(mbx, head);
  }
  const b = Buffer.alloc(24);
  head.copy(b, 0);
  b.writeUInt32BE(m.key >>> 0, 16);
  b.writeUInt32BE(m.version >>> 0, 20);
  return `CQAAA${b.toString("base64")}`;
}

const SVEP_TYPES = [
  "String",
  "Integer",
  "Long",
  "Boolean",
  "SystemTime",
  "Binary",
  "Double",
  "Float",
  "Short",
  "Currency",
  "CLSID",
  "Object",
  "Null",
  "ApplicationTime",
  "StringArray",
  "IntegerArray",
  "LongArray",
  "BinaryArray",
  "SystemTimeArray",
  "ShortArray",
  "DoubleArray",
  "FloatArray",
  "CurrencyArray",
  "CLSIDArray",
  "ApplicationTimeArray",
  "ObjectArray",
];
const TYPE_BY_LOWER = new Map(SVEP_TYPES.map((t) => [t.toLowerCase(), t]));

/**
 * Canonical form of an extended-property id for matching: type and GUID are case-insensitive,
 * the `Name` part is case-sensitive (as Exchange treats them); proptags are normalised to 0xNNNN.
 */
export function normalizeSvepId(id: string): string | undefined {
  const s = id.trim();
  const named = /^(\w+)\s+\{([0-9a-fA-F-]{36})\}\s+(Name|Id)\s+(.+)$/i.exec(s);
  if (named) {
    const type = TYPE_BY_LOWER.get((named[1] as string).toLowerCase());
    if (!type) return undefined;
    const kind = (named[3] as string).toLowerCase() === "name" ? "Name" : "Id";
    let name = named[4] as string;
    if (kind === "Id") {
      const n = Number(name);
      if (Number.isNaN(n)) return undefined;
      name = `0x${n.toString(16).padStart(4, "0")}`;
    }
    return `${type} {${(named[2] as string).toLowerCase()}} ${kind} ${name}`;
  }
  const tag = /^(\w+)\s+(0x[0-9a-fA-F]{1,4})$/.exec(s);
  if (tag) {
    const type = TYPE_BY_LOWER.get((tag[1] as string).toLowerCase());
    if (!type) return undefined;
    return `${type} 0x${Number(tag[2]).toString(16).padStart(4, "0")}`;
  }
  return undefined;
}

export interface ViewCtx {
  immutable: boolean;
}

/** Computed MAPI properties (read-only views of the item), plus stored named properties. */
export function svepList(mbx: Mailbox, m: MsgRec): SvepRec[] {
  const meta = mbx.meta(m);
  const flags =
    (m.isRead ? 0x1 : 0) |
    (m.isDraft ? 0x8 : 0) |
    ((m.atts ? m.atts.some((a) => !a.isInline) : meta.hasAttachments) ? 0x10 : 0);
  const computed: SvepRec[] = [
    { id: "Integer 0x0e07", value: String(flags) },
    {
      id: "Integer 0x0e08",
      // The size of generated MIME costs a composition: only when a filter or expansion reads it
      get value() {
        return String(mbx.digest(m).size);
      },
    },
    { id: "SystemTime 0x0e06", value: isoZ(m.received) ?? "" },
    { id: "SystemTime 0x0039", value: isoZ(m.sent ?? meta.date ?? m.received) ?? "" },
    { id: "String 0x001a", value: "IPM.Note" },
    { id: "String 0x1035", value: m.over?.internetMessageId ?? meta.messageId ?? "" },
  ];
  const stored = Object.values(m.svep ?? {});
  const storedKeys = new Set(Object.keys(m.svep ?? {}));
  return [...computed.filter((c) => !storedKeys.has(normalizeSvepId(c.id) ?? c.id)), ...stored];
}

/** Rewrites `id eq '…'` inside extended-property lambdas to the canonical id, compared case-sensitively. */
export function prepareSvepFilter(e: Expr): Expr {
  visit(e, (x) => {
    if (x.t !== "lambda" || !x.body || !x.v) return;
    const coll = (x.coll[x.coll.length - 1] ?? "").toLowerCase();
    if (coll !== "singlevalueextendedproperties" && coll !== "multivalueextendedproperties") return;
    const v = x.v;
    visit(x.body, (c) => {
      if (c.t !== "cmp") return;
      for (const [p, l] of [
        [c.l, c.r],
        [c.r, c.l],
      ] as const) {
        if (
          p.t === "path" &&
          p.segs.length === 2 &&
          p.segs[0] === v &&
          (p.segs[1] ?? "").toLowerCase() === "id" &&
          l.t === "lit" &&
          typeof l.v === "string"
        ) {
          l.v = normalizeSvepId(l.v) ?? l.v;
        }
      }
    });
  });
  return e;
}

/** `$expand=singleValueExtendedProperties($filter=id eq '…')`: canonicalise the compared ids. */
function prepareExpandFilter(e: Expr): Expr {
  visit(e, (c) => {
    if (c.t !== "cmp") return;
    for (const [p, l] of [
      [c.l, c.r],
      [c.r, c.l],
    ] as const) {
      if (
        p.t === "path" &&
        p.segs.length === 1 &&
        (p.segs[0] ?? "").toLowerCase() === "id" &&
        l.t === "lit" &&
        typeof l.v === "string"
      ) {
        l.v = normalizeSvepId(l.v) ?? l.v;
      }
    }
  });
  return e;
}

export function svepCaseSensitive(path: string[]): boolean {
  return path.length === 2 && (path[1] ?? "").toLowerCase() === "id";
}

function stripHtml(html: string): string {
  return html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
}

/** Full parse results, cached briefly: bodies are asked for one message at a time. */
const bodyCache = new Map<string, BodyInfo>();
const previewCache = new Map<string, string>();

function srcKey(mbx: Mailbox, m: MsgRec): string {
  const s = m.src;
  return `${mbx.guid}:${m.key}:${s.k === "blob" ? s.sha : `${s.k}${s.i}`}`;
}

export async function bodyOf(mbx: Mailbox, m: MsgRec): Promise<BodyInfo> {
  const k = srcKey(mbx, m);
  const hit = bodyCache.get(k);
  if (hit) return hit;
  const info = await parseBody(mbx.mime(m));
  bodyCache.set(k, info);
  if (bodyCache.size > 64) bodyCache.delete(bodyCache.keys().next().value as string);
  const pk = srcKey(mbx, m);
  previewCache.set(pk, info.preview);
  if (previewCache.size > 50_000) previewCache.delete(previewCache.keys().next().value as string);
  return info;
}

async function previewOf(mbx: Mailbox, m: MsgRec): Promise<string> {
  if (m.over?.body)
    return (
      m.over.body.contentType.toLowerCase() === "html"
        ? stripHtml(m.over.body.content)
        : m.over.body.content.replace(/\s+/g, " ").trim()
    ).slice(0, 255);
  const k = srcKey(mbx, m);
  const hit = previewCache.get(k);
  if (hit !== undefined) return hit;
  return (await bodyOf(mbx, m)).preview;
}

/** What the field table below reads; derived values are computed once per item, when first asked for. */
interface FieldCtx {
  mbx: Mailbox;
  m: MsgRec;
  o: NonNullable<MsgRec["over"]>;
  immutable: boolean;
  meta?: ReturnType<Mailbox["meta"]>;
  id?: string;
  ck?: string;
  conv?: string;
}

const metaOf = (c: FieldCtx) => {
  c.meta ??= c.mbx.meta(c.m);
  return c.meta;
};
const idOf = (c: FieldCtx) => {
  c.id ??= c.mbx.messageId(c.m, c.immutable ? "immutable" : "rest");
  return c.id;
};
const ckOf = (c: FieldCtx) => {
  c.ck ??= changeKeyOf(c.mbx, c.m);
  return c.ck;
};
const convOf = (c: FieldCtx) => {
  c.conv ??= conversationKey(metaOf(c));
  return c.conv;
};
const fromOf = (c: FieldCtx) => (c.o.from !== undefined ? c.o.from : recipient(metaOf(c).from));

/**
 * Message fields in Graph's order, each read on demand: a `$select` of record fields only (id,
 * parentFolderId, receivedDateTime, isRead, …) never reads the MIME or the plan, which matters when a
 * delta pages through 100,000 generated messages. One table for all items (no closures per item).
 */
const FIELDS: ReadonlyArray<readonly [string, (c: FieldCtx) => unknown]> = [
  ["@odata.etag", (c) => `W/"${ckOf(c)}"`],
  ["id", idOf],
  ["createdDateTime", (c) => isoZ(c.m.created)],
  ["lastModifiedDateTime", (c) => isoZ(c.m.modified)],
  ["changeKey", ckOf],
  ["categories", (c) => c.m.categories ?? []],
  ["receivedDateTime", (c) => isoZ(c.m.received)],
  ["sentDateTime", (c) => isoZ(c.m.sent ?? metaOf(c).date ?? c.m.received)],
  [
    "hasAttachments",
    (c) => (c.m.atts ? c.m.atts.some((a) => !a.isInline && !a.hidden) : metaOf(c).hasAttachments),
  ],
  ["internetMessageId", (c) => c.o.internetMessageId ?? metaOf(c).messageId ?? null],
  ["subject", (c) => c.o.subject ?? metaOf(c).subject],
  ["importance", (c) => c.o.importance ?? metaOf(c).importance],
  ["parentFolderId", (c) => c.m.folderId],
  [
    "conversationId",
    (c) =>
      `AAQkA${Buffer.concat([Buffer.from(c.mbx.guid.replace(/-/g, ""), "hex"), Buffer.from(convOf(c), "hex")])
        .toString("base64")
        .replace(/\//g, "-")
        .replace(/\+/g, "_")}`,
  ],
  [
    "conversationIndex",
    (c) =>
      Buffer.concat([
        Buffer.from([1]),
        createHash("sha1").update(convOf(c)).digest().subarray(0, 21),
      ]).toString("base64"),
  ],
  ["isDeliveryReceiptRequested", (c) => c.o.isDeliveryReceiptRequested ?? metaOf(c).deliveryReceipt],
  ["isReadReceiptRequested", (c) => c.o.isReadReceiptRequested ?? metaOf(c).readReceipt],
  ["isRead", (c) => c.m.isRead],
  ["isDraft", (c) => c.m.isDraft],
  [
    "webLink",
    (c) =>
      `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(idOf(c))}&exvsurl=1&viewmodel=ReadMessageItem`,
  ],
  ["inferenceClassification", (c) => c.o.inferenceClassification ?? "focused"],
  ["sender", (c) => (c.o.sender !== undefined ? c.o.sender : (recipient(metaOf(c).sender) ?? fromOf(c)))],
  ["from", fromOf],
  ["toRecipients", (c) => c.o.toRecipients ?? metaOf(c).to.map((a) => recipient(a))],
  ["ccRecipients", (c) => c.o.ccRecipients ?? metaOf(c).cc.map((a) => recipient(a))],
  ["bccRecipients", (c) => c.o.bccRecipients ?? metaOf(c).bcc.map((a) => recipient(a))],
  ["replyTo", (c) => c.o.replyTo ?? metaOf(c).replyTo.map((a) => recipient(a))],
  ["flag", (c) => c.o.flag ?? { flagStatus: "notFlagged" }],
];

/** Everything except body-derived fields; with `want`, only the wanted ones (and always id and etag). */
export function baseMessageJson(
  mbx: Mailbox,
  m: MsgRec,
  v: ViewCtx,
  want?: (field: string) => boolean,
): Record<string, unknown> {
  const c: FieldCtx = { mbx, m, o: m.over ?? {}, immutable: v.immutable };
  const out: Record<string, unknown> = {};
  for (const [k, f] of FIELDS) if (!want || k === "id" || k === "@odata.etag" || want(k)) out[k] = f(c);
  return out;
}

/** Field order of a full Graph message (so responses look like Graph's). */
const ORDER = [
  "@odata.type",
  "@odata.etag",
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "conversationId",
  "conversationIndex",
  "isDeliveryReceiptRequested",
  "isReadReceiptRequested",
  "isRead",
  "isDraft",
  "webLink",
  "inferenceClassification",
  "body",
  "uniqueBody",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "replyTo",
  "flag",
  "internetMessageHeaders",
];

const LOWER = new Map(ORDER.map((k) => [k, k.toLowerCase()]));
const lower = (k: string) => LOWER.get(k) ?? k.toLowerCase();

export interface MessageShape {
  select?: string[] | undefined;
  expand?: ExpandItem[];
  odataType?: boolean;
}

export async function messageJson(
  mbx: Mailbox,
  m: MsgRec,
  v: ViewCtx,
  shape: MessageShape,
): Promise<Record<string, unknown>> {
  const sel = shape.select ? new Set(shape.select.map((s) => s.toLowerCase())) : undefined;
  const want = (p: string) => !sel || sel.has(lower(p));
  const base = baseMessageJson(mbx, m, v, sel ? want : undefined);
  const full: Record<string, unknown> = { ...base };
  if (shape.odataType) full["@odata.type"] = "#microsoft.graph.message";
  if (want("bodyPreview")) full.bodyPreview = await previewOf(mbx, m);
  if (want("body") || (sel?.has("uniquebody") ?? false)) {
    let body: { contentType: string; content: string };
    if (m.over?.body)
      body = {
        contentType: m.over.body.contentType.toLowerCase() === "html" ? "html" : "text",
        content: m.over.body.content,
      };
    else {
      const b = await bodyOf(mbx, m);
      body = { contentType: b.contentType, content: b.content };
    }
    if (want("body")) full.body = body;
    if (sel?.has("uniquebody")) full.uniqueBody = body;
  }
  if (sel?.has("internetmessageheaders")) {
    full.internetMessageHeaders =
      m.over?.internetMessageHeaders ?? mbx.headerLines(m).map((h) => ({ name: h.name, value: h.value }));
  }
  const out: Record<string, unknown> = {};
  for (const k of ORDER) {
    if (!(k in full)) continue;
    if (k.startsWith("@odata.") || k === "id" || want(k)) out[k] = full[k];
  }
  for (const e of shape.expand ?? []) {
    const name = e.name.toLowerCase();
    if (name === "singlevalueextendedproperties") {
      let list = svepList(mbx, m);
      if (e.filter) {
        const f = prepareExpandFilter(parseFilter(e.filter));
        list = list.filter((p) =>
          evaluate(f, lazyValue(normalizeSvepId(p.id) ?? p.id, p), {
            caseSensitive: (path) => path.length === 1 && (path[0] ?? "").toLowerCase() === "id",
          }),
        );
      } else list = Object.values(m.svep ?? {});
      if (list.length > 0)
        out.singleValueExtendedProperties = list.map((p) => ({ id: p.id, value: p.value }));
    }
  }
  return out;
}

/** A view for `$filter` evaluation: base fields plus extended properties with canonical ids. */
export function filterView(mbx: Mailbox, m: MsgRec, v: ViewCtx, needsSvep: boolean): Record<string, unknown> {
  const base = baseMessageJson(mbx, m, v);
  if (needsSvep)
    base.singleValueExtendedProperties = svepList(mbx, m).map((p) =>
      lazyValue(normalizeSvepId(p.id) ?? p.id, p),
    );
  return base;
}

/** The property under another id, its value still read only when asked for. */
function lazyValue(id: string, p: SvepRec): SvepRec {
  return {
    id,
    get value() {
      return p.value;
    },
  };
}

export function filterUsesSvep(e: Expr): boolean {
  let found = false;
  visit(e, (x) => {
    if (x.t === "lambda" && x.coll.some((c) => c.toLowerCase().endsWith("extendedproperties"))) found = true;
  });
  return found;
}

export { getProp };
