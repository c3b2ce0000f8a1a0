import { randomBytes } from "node:crypto";
import { GraphError, jsonBody, notFound, type SimRequest, type SimResponse } from "../http";
import { decodeId, encodeId, ItemKind } from "../ids";
import { type ComposeAttachment, composeMime } from "../model/compose";
import type { AttachmentRec, Mailbox, MsgRec } from "../model/mailbox";
import { parseBody, readHeaderMeta } from "../model/mime";
import { applySelect, parseSelect } from "../odata";
import type { Simulator } from "../sim";
import { contextUrl, type GraphRouter, json, mailboxOf, q } from "./context";
import { findMessageOr404 } from "./mail";
import { bodyOf, isoZ } from "./message-view";

/**
 * Message attachments: list/get/$value/add/delete and Outlook upload sessions. Attachments of MIME
 * messages are read from the MIME; the first add or delete materialises them, and the MIME is then
 * regenerated from the item (as Exchange does), keeping the original header lines.
 */

const SMALL_LIMIT = 3 * 1024 * 1024;
const SESSION_LIMIT = 150 * 1024 * 1024;
const CHUNK_LIMIT = 4 * 1024 * 1024;

export interface AttView {
  rec: AttachmentRec;
  bytes: () => Buffer;
}

/** Attachments as Graph sees them (from the item if materialised, else parsed from the MIME). */
/** mailparser reports the text/calendar alternative of a meeting request as an attachment; Graph does not. */
function isCalendarAlternative(a: {
  contentType: string;
  filename?: string | undefined;
  contentDisposition?: string | undefined;
}): boolean {
  return a.contentType === "text/calendar" && !a.filename && a.contentDisposition !== "attachment";
}

export async function attachmentViews(mbx: Mailbox, m: MsgRec): Promise<AttView[]> {
  if (m.atts)
    return m.atts
      .filter((rec) => !rec.hidden)
      .map((rec) => ({ rec, bytes: () => mbx.sources.blobs.get(rec.sha) }));
  const parsed = await bodyOf(mbx, m);
  const out = parsed.attachments.map((a, n) => {
    const isItem = a.contentType === "message/rfc822";
    const rec: AttachmentRec = {
      n,
      name: a.filename ?? (isItem ? "Attached message" : "attachment"),
      contentType: a.contentType,
      size: a.size ?? a.content.length,
      isInline: a.contentDisposition === "inline" || Boolean(a.related),
      lastModifiedDateTime: m.modified,
      sha: a.checksum ?? "",
      type: isItem ? "item" : "file",
    };
    if (a.cid) rec.contentId = a.cid;
    return { rec, bytes: () => a.content, hidden: isCalendarAlternative(a) };
  });
  return out.filter((v) => !v.hidden).map(({ rec, bytes }) => ({ rec, bytes }));
}

export function attachmentId(mbx: Mailbox, m: MsgRec, n: number, immutable: boolean): string {
  return encodeId(
    { mailboxGuid: mbx.guid, kind: ItemKind.attachment, key: m.key, gen: m.gen, sub: n },
    immutable ? "immutable" : "rest",
  );
}

export function attachmentJson(
  mbx: Mailbox,
  m: MsgRec,
  v: AttView,
  immutable: boolean,
  withBytes: boolean,
): Record<string, unknown> {
  const r = v.rec;
  const id = attachmentId(mbx, m, r.n, immutable);
  if (r.type === "item") {
    return {
      "@odata.type": "#microsoft.graph.itemAttachment",
      id,
      lastModifiedDateTime: isoZ(r.lastModifiedDateTime),
      name: r.name,
      contentType: null,
      size: r.size,
      isInline: r.isInline,
    };
  }
  const out: Record<string, unknown> = {
    "@odata.type": "#microsoft.graph.fileAttachment",
    "@odata.mediaContentType": r.contentType,
    id,
    lastModifiedDateTime: isoZ(r.lastModifiedDateTime),
    name: r.name,
    contentType: r.contentType,
    size: r.size,
    isInline: r.isInline,
    contentId: r.contentId ?? null,
    contentLocation: null,
  };
  if (withBytes) out.contentBytes = v.bytes().toString("base64");
  return out;
}

function findAttachment(mbx: Mailbox, m: MsgRec, views: AttView[], id: string): AttView {
  const d = decodeId(id);
  if (
    !d ||
    d.kind !== ItemKind.attachment ||
    d.mailboxGuid !== mbx.guid ||
    d.key !== m.key ||
    d.sub === undefined
  )
    throw notFound();
  const v = views.find((x) => x.rec.n === d.sub);
  if (!v) throw notFound();
  return v;
}

/**
 * Turns MIME attachments into stored records and freezes the message's view properties, so the
 * MIME can be regenerated without changing what Graph shows.
 */
export async function materialize(sim: Simulator, mbx: Mailbox, m: MsgRec): Promise<AttachmentRec[]> {
  if (m.atts) return m.atts;
  const raw = mbx.mime(m);
  const meta = readHeaderMeta(raw);
  const parsed = await parseBody(raw);
  const rec = (a: { name: string; address: string } | undefined) =>
    a ? { emailAddress: { name: a.name || a.address, address: a.address } } : null;
  m.over = {
    subject: meta.subject,
    body: { contentType: parsed.contentType, content: parsed.content },
    from: rec(meta.from),
    sender: rec(meta.sender),
    toRecipients: meta.to.map((a) => rec(a) as NonNullable<ReturnType<typeof rec>>),
    ccRecipients: meta.cc.map((a) => rec(a) as NonNullable<ReturnType<typeof rec>>),
    bccRecipients: meta.bcc.map((a) => rec(a) as NonNullable<ReturnType<typeof rec>>),
    replyTo: meta.replyTo.map((a) => rec(a) as NonNullable<ReturnType<typeof rec>>),
    importance: meta.importance,
    ...(meta.messageId ? { internetMessageId: meta.messageId } : {}),
    ...m.over,
  };
  m.sent ??= meta.date ?? m.received;
  m.atts = parsed.attachments.map((a, n) => {
    const isItem = a.contentType === "message/rfc822";
    const r: AttachmentRec = {
      n,
      name: a.filename ?? (isItem ? "Attached message" : "attachment"),
      contentType: a.contentType,
      size: a.content.length,
      isInline: a.contentDisposition === "inline" || Boolean(a.related),
      lastModifiedDateTime: m.modified,
      sha: sim.tenant.blobs.put(a.content),
      type: isItem ? "item" : "file",
    };
    if (a.cid) r.contentId = a.cid;
    if (isCalendarAlternative(a)) r.hidden = true;
    return r;
  });
  m.nextAtt = m.atts.length;
  // keep the original trace/custom header lines in the regenerated MIME
  m.keep = meta.headers.filter((h) => !/^(content-|mime-version$)/i.test(h.name));
  return m.atts;
}

/** Regenerates the MIME of a message from its properties and attachments (new bytes, new sha). */
export async function rebuildMime(sim: Simulator, mbx: Mailbox, m: MsgRec): Promise<void> {
  const cal = (m.atts ?? []).find((a) => a.hidden);
  const atts: ComposeAttachment[] = (m.atts ?? [])
    .filter((a) => !a.hidden)
    .map((a) => ({
      name: a.name,
      contentType: a.contentType,
      content: sim.tenant.blobs.get(a.sha),
      isInline: a.isInline,
      ...(a.contentId ? { contentId: a.contentId } : {}),
      isItem: a.type === "item",
    }));
  const keep = m.keep;
  const over = m.over ?? {};
  const bytes = await composeMime({
    over,
    attachments: atts,
    date: m.sent ?? m.received,
    messageId: over.internetMessageId ?? `<${randomBytes(12).toString("hex")}@${sim.tenant.domain}>`,
    ...(keep ? { keepHeaders: keep } : {}),
    ...(cal ? { icalEvent: sim.tenant.blobs.get(cal.sha) } : {}),
  });
  m.src = { k: "blob", sha: sim.tenant.blobs.put(bytes) };
  mbx.dropMeta(m);
}

export function decodeContentBytes(b64: unknown): Buffer {
  if (typeof b64 !== "string")
    throw new GraphError(400, "ErrorInvalidRequest", "contentBytes is required for a fileAttachment.");
  return Buffer.from(b64, "base64");
}

/** Adding attachments to received or sent items is not documented; the simulator allows it on drafts only. */
function requireDraft(m: MsgRec): void {
  if (!m.isDraft) {
    throw new GraphError(
      400,
      "ErrorInvalidPropertyUpdateSentMessage",
      "Attachments can only be added to draft messages (simulator rule; see README).",
    );
  }
}

export function addFileAttachment(
  sim: Simulator,
  m: MsgRec,
  a: {
    name: string;
    contentType?: string;
    content: Buffer;
    isInline?: boolean;
    contentId?: string;
    isItem?: boolean;
  },
): AttachmentRec {
  const atts = m.atts ?? [];
  const n = m.nextAtt ?? atts.length;
  m.nextAtt = n + 1;
  const rec: AttachmentRec = {
    n,
    name: a.name,
    contentType: a.contentType ?? (a.isItem ? "message/rfc822" : "application/octet-stream"),
    size: a.content.length,
    isInline: a.isInline ?? false,
    lastModifiedDateTime: new Date().toISOString(),
    sha: sim.tenant.blobs.put(a.content),
    type: a.isItem ? "item" : "file",
  };
  if (a.contentId) rec.contentId = a.contentId;
  atts.push(rec);
  m.atts = atts;
  return rec;
}

interface UploadSession {
  id: string;
  authToken: string;
  userId: string;
  mailboxGuid: string;
  msgKey: number;
  appId: string;
  name: string;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  size: number;
  chunks: Buffer[];
  received: number;
  expires: number;
}

function sessions(sim: Simulator): Map<string, UploadSession> {
  let m = sim.runtime.get("uploadSessions") as Map<string, UploadSession> | undefined;
  if (!m) {
    m = new Map();
    sim.runtime.set("uploadSessions", m);
  }
  return m;
}

/**
 * The upload URL is pre-authenticated and lives on another host (outlook.office.com in Microsoft
 * 365). Here it is the simulator's other loopback name, so SDKs that attach tokens to the Graph host
 * (customHosts) do not send one — just as they would not to outlook.office.com.
 */
function uploadOrigin(sim: Simulator): string {
  const u = new URL(sim.url);
  const host = u.hostname === "localhost" ? "127.0.0.1" : "localhost";
  return `https://${host}:${u.port}`;
}

function attachmentRoutes(r: GraphRouter, base: string): void {
  r.add("GET", `${base}/attachments`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    const select = parseSelect(q(ctx, "select"));
    const withBytes = !select || select.some((s) => s.toLowerCase() === "contentbytes");
    const views = await attachmentViews(mbx, m);
    const value = views.map((v) => applySelect(attachmentJson(mbx, m, v, ctx.immutable, withBytes), select));
    return json(200, {
      "@odata.context": contextUrl(
        ctx,
        `users('${ctx.params.user}')/messages('${ctx.params.id}')/attachments`,
      ),
      value,
    });
  });
  r.add("GET", `${base}/attachments/:att`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    const views = await attachmentViews(mbx, m);
    const v = findAttachment(mbx, m, views, ctx.params.att ?? "");
    const select = parseSelect(q(ctx, "select"));
    const body = applySelect(attachmentJson(mbx, m, v, ctx.immutable, true), select);
    const expand = (q(ctx, "expand") ?? "").toLowerCase();
    if (v.rec.type === "item" && expand.includes("item")) {
      const inner = readHeaderMeta(v.bytes());
      body.item = {
        "@odata.type": "#microsoft.graph.message",
        subject: inner.subject,
        internetMessageId: inner.messageId ?? null,
        sentDateTime: isoZ(inner.date),
        from: inner.from ? { emailAddress: inner.from } : null,
        toRecipients: inner.to.map((a) => ({ emailAddress: a })),
      };
    }
    return json(200, { "@odata.context": contextUrl(ctx, "attachments/$entity"), ...body });
  });
  r.add("GET", `${base}/attachments/:att/$value`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    const v = findAttachment(mbx, m, await attachmentViews(mbx, m), ctx.params.att ?? "");
    if (v.rec.type === "reference")
      throw new GraphError(405, "ErrorInvalidRequest", "Reference attachments have no content.");
    return {
      status: 200,
      headers: { "Content-Type": v.rec.type === "item" ? "text/plain" : v.rec.contentType },
      body: v.bytes(),
    };
  });
  r.add("POST", `${base}/attachments`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    requireDraft(m);
    const b = jsonBody<Record<string, unknown>>(ctx.req);
    const type = String(b["@odata.type"] ?? "").toLowerCase();
    if (type === "#microsoft.graph.referenceattachment")
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "Reference attachments are not supported by the simulator.",
      );
    const isItem = type === "#microsoft.graph.itemattachment";
    if (!isItem && type !== "#microsoft.graph.fileattachment")
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "@odata.type must be #microsoft.graph.fileAttachment or #microsoft.graph.itemAttachment.",
      );
    let content: Buffer;
    if (isItem) {
      const item = (b.item ?? {}) as Record<string, unknown>;
      content = Buffer.from(
        `Subject: ${String(item.subject ?? "")}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${String((item.body as { content?: string } | undefined)?.content ?? "")}\r\n`,
      );
    } else content = decodeContentBytes(b.contentBytes);
    if (content.length > SMALL_LIMIT)
      throw new GraphError(
        413,
        "ErrorRequestEntityTooLarge",
        "Attachments larger than 3 MB must be uploaded with an upload session.",
      );
    await materialize(ctx.sim, mbx, m);
    const rec = addFileAttachment(ctx.sim, m, {
      name: String(b.name ?? "attachment"),
      ...(typeof b.contentType === "string" ? { contentType: b.contentType } : {}),
      content,
      isInline: b.isInline === true,
      ...(typeof b.contentId === "string" ? { contentId: b.contentId } : {}),
      isItem,
    });
    await rebuildMime(ctx.sim, mbx, m);
    mbx.touchMessage(m);
    ctx.sim.tenant.changed();
    return json(201, {
      "@odata.context": contextUrl(ctx, "attachments/$entity"),
      ...attachmentJson(mbx, m, { rec, bytes: () => content }, ctx.immutable, true),
    });
  });
  r.add("DELETE", `${base}/attachments/:att`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    const v = findAttachment(mbx, m, await attachmentViews(mbx, m), ctx.params.att ?? "");
    const atts = await materialize(ctx.sim, mbx, m);
    m.atts = atts.filter((a) => a.n !== v.rec.n);
    await rebuildMime(ctx.sim, mbx, m);
    mbx.touchMessage(m);
    ctx.sim.tenant.changed();
    return { status: 204 };
  });
  r.add("POST", `${base}/attachments/createUploadSession`, (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    requireDraft(m);
    const b = jsonBody<{ AttachmentItem?: Record<string, unknown> }>(ctx.req);
    const item =
      b.AttachmentItem ?? (b as unknown as { attachmentItem?: Record<string, unknown> }).attachmentItem;
    if (!item || String(item.attachmentType ?? "file").toLowerCase() !== "file")
      throw new GraphError(
        400,
        "ErrorInvalidRequest",
        "AttachmentItem with attachmentType 'file' is required.",
      );
    const size = Number(item.size);
    if (!Number.isInteger(size) || size <= 0)
      throw new GraphError(400, "ErrorInvalidRequest", "AttachmentItem.size is required.");
    if (size > SESSION_LIMIT)
      throw new GraphError(
        400,
        "ErrorAttachmentSizeLimitExceeded",
        "The attachment exceeds the 150 MB limit.",
      );
    const s: UploadSession = {
      id: randomBytes(16).toString("base64url"),
      authToken: randomBytes(24).toString("base64url"),
      userId: user.id,
      mailboxGuid: mbx.guid,
      msgKey: m.key,
      appId: ctx.appId,
      name: String(item.name ?? "attachment"),
      contentType: String(item.contentType ?? "application/octet-stream"),
      isInline: item.isInline === true,
      size,
      chunks: [],
      received: 0,
      expires: Date.now() + 24 * 3600 * 1000,
    };
    if (typeof item.contentId === "string") s.contentId = item.contentId;
    sessions(ctx.sim).set(s.id, s);
    const uploadUrl = `${uploadOrigin(ctx.sim)}/api/v2.0/Users('${user.id}')/Messages('${mbx.messageId(m, "rest")}')/AttachmentSessions('${s.id}')?authtoken=${s.authToken}`;
    return json(201, {
      "@odata.context": contextUrl(ctx, "microsoft.graph.uploadSession"),
      uploadUrl,
      expirationDateTime: new Date(s.expires).toISOString().replace(/\.\d{3}Z$/, "Z"),
      nextExpectedRanges: ["0-"],
    });
  });
}

function uploadError(status: number, code: string, message: string): SimResponse {
  return { status, json: { error: { code, message } } };
}

/** PUT/DELETE on the pre-authenticated upload URL (no Authorization header allowed). */
async function uploadChunk(
  sim: Simulator,
  req: SimRequest,
  params: Record<string, string>,
): Promise<SimResponse> {
  const s = sessions(sim).get(params.sid ?? "");
  const token = req.query.get("authtoken");
  if (!s || token !== s.authToken || s.expires < Date.now())
    return uploadError(404, "ErrorItemNotFound", "The upload session was not found or has expired.");
  if (req.headers.authorization) {
    return uploadError(
      401,
      "InvalidAuthenticationToken",
      "The upload URL is pre-authenticated: do not send an Authorization header.",
    );
  }
  if (req.method === "DELETE") {
    sessions(sim).delete(s.id);
    return { status: 204 };
  }
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers["content-range"] ?? "");
  if (!range) return uploadError(400, "ErrorInvalidRequest", "Content-Range: bytes a-b/total is required.");
  const [a, b, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (total !== s.size)
    return uploadError(
      400,
      "ErrorInvalidRequest",
      `The total size ${total} does not match the session size ${s.size}.`,
    );
  if (a !== s.received) {
    return {
      status: 416,
      json: {
        error: { code: "ErrorInvalidRange", message: `Expected a chunk starting at ${s.received}.` },
        nextExpectedRanges: [`${s.received}-`],
      },
    };
  }
  if (b - a + 1 !== req.body.length || b >= s.size)
    return uploadError(400, "ErrorInvalidRequest", "The body length does not match the Content-Range.");
  if (req.body.length > CHUNK_LIMIT)
    return uploadError(413, "ErrorRequestEntityTooLarge", "Chunks must be 4 MB or smaller.");
  const mbx = sim.tenant.mailboxes.get(s.mailboxGuid);
  const m = mbx?.messages.get(s.msgKey);
  if (!mbx || !m)
    return uploadError(404, "ErrorItemNotFound", "The message of this upload session no longer exists.");
  const adm = sim.throttle.admit(s.appId, mbx.guid, req.body.length);
  if ("status" in adm) {
    const st = sim.stats.of(mbx.guid);
    st.throttled++;
    return {
      status: 429,
      headers: { "Retry-After": String(adm.retryAfter) },
      json: { error: { code: adm.code, message: adm.message } },
    };
  }
  try {
    const st = sim.stats.of(mbx.guid);
    st.requests++;
    st.bytesIn += req.body.length;
    s.chunks.push(Buffer.from(req.body));
    s.received += req.body.length;
    if (s.received < s.size) {
      return {
        status: 200,
        json: {
          expirationDateTime: new Date(s.expires).toISOString().replace(/\.\d{3}Z$/, "Z"),
          nextExpectedRanges: [`${s.received}-`],
        },
      };
    }
    sessions(sim).delete(s.id);
    const content = Buffer.concat(s.chunks);
    await materialize(sim, mbx, m);
    const rec = addFileAttachment(sim, m, {
      name: s.name,
      contentType: s.contentType,
      content,
      isInline: s.isInline,
      ...(s.contentId ? { contentId: s.contentId } : {}),
    });
    await rebuildMime(sim, mbx, m);
    mbx.touchMessage(m);
    sim.tenant.changed();
    const attId = attachmentId(mbx, m, rec.n, false);
    return {
      status: 201,
      headers: {
        Location: `${uploadOrigin(sim)}/api/v2.0/Users('${s.userId}')/Messages('${mbx.messageId(m, "rest")}')/Attachments('${attId}')`,
      },
    };
  } finally {
    adm.release();
  }
}

export function registerAttachments(sim: Simulator): void {
  attachmentRoutes(sim.graph, "users/:user/messages/:id");
  attachmentRoutes(sim.graph, "users/:user/mailFolders/:folder/messages/:id");
  sim.plain.add("PUT", "api/v2.0/Users/:user/Messages/:msg/AttachmentSessions/:sid", uploadChunk);
  sim.plain.add("DELETE", "api/v2.0/Users/:user/Messages/:msg/AttachmentSessions/:sid", uploadChunk);
}
