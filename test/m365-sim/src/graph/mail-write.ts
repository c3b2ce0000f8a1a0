import { randomBytes } from "node:crypto";
import { badRequest, GraphError, jsonBody, notFound, type SimResponse } from "../http";
import { decodeId, encodeId, type IdFormat, ItemKind } from "../ids";
import type { FolderRec, Mailbox, MsgOverrides, MsgRec, RecipientJson, SvepRec } from "../model/mailbox";
import type { UserRec } from "../model/tenant";
import type { Simulator } from "../sim";
import { addFileAttachment, decodeContentBytes, materialize, rebuildMime } from "./attachments";
import { contextUrl, type GraphCtx, type GraphRouter, json, mailboxOf, noContent } from "./context";
import { findFolderOr404, findMessageOr404, folderJson } from "./mail";
import { changeKeyOf, messageJson, normalizeSvepId } from "./message-view";

/**
 * Message and folder writes with Exchange's rules (reference A.7, A.8): JSON create with the
 * non-draft flag, MIME create = draft, draft-only PATCH, move/copy/delete/permanentDelete, send,
 * sendMail, translateExchangeIds.
 */

const DRAFT_ONLY = new Set([
  "subject",
  "body",
  "internetmessageid",
  "replyto",
  "torecipients",
  "ccrecipients",
  "bccrecipients",
  "from",
  "sender",
  "uniquebody",
]);
const ALWAYS = new Set([
  "categories",
  "flag",
  "importance",
  "inferenceclassification",
  "isread",
  "isdeliveryreceiptrequested",
  "isreadreceiptrequested",
  "singlevalueextendedproperties",
  "multivalueextendedproperties",
]);

const PR_MESSAGE_FLAGS = "Integer 0x0e07";
const PR_DELIVERY_TIME = "SystemTime 0x0e06";
const PR_SUBMIT_TIME = "SystemTime 0x0039";

function recipients(v: unknown, field: string): RecipientJson[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v))
    throw badRequest(`'${field}' must be a collection of recipients.`, "ErrorInvalidRecipients");
  return v.map((r) => {
    const a = (r as RecipientJson | undefined)?.emailAddress;
    if (!a || typeof a.address !== "string")
      throw new GraphError(
        400,
        "ErrorInvalidRecipients",
        `At least one recipient in '${field}' is not valid.`,
      );
    return { emailAddress: { name: a.name ?? a.address, address: a.address } };
  });
}

function recipient(v: unknown, field: string): RecipientJson | null {
  if (v === undefined || v === null) return null;
  return recipients([v], field)[0] ?? null;
}

/** Parses `singleValueExtendedProperties` into canonical-id records (values are strings). */
function sveps(v: unknown): Record<string, SvepRec> {
  const out: Record<string, SvepRec> = {};
  if (v === undefined) return out;
  if (!Array.isArray(v))
    throw badRequest("singleValueExtendedProperties must be a collection.", "ErrorInvalidProperty");
  for (const p of v as Array<{ id?: unknown; value?: unknown }>) {
    if (typeof p.id !== "string")
      throw badRequest("An extended property needs an id.", "ErrorInvalidProperty");
    const key = normalizeSvepId(p.id);
    if (!key)
      throw new GraphError(400, "ErrorInvalidProperty", `The extended property id '${p.id}' is not valid.`);
    if (typeof p.value !== "string")
      throw new GraphError(
        400,
        "ErrorInvalidExtendedPropertyValue",
        `The value of '${p.id}' must be a string.`,
      );
    out[key] = { id: p.id, value: p.value };
  }
  return out;
}

function checkHeaders(v: unknown): Array<{ name: string; value: string }> | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw badRequest("internetMessageHeaders must be a collection.");
  return v.map((h: { name?: unknown; value?: unknown }) => {
    if (typeof h.name !== "string" || !/^x-/i.test(h.name)) {
      throw new GraphError(
        400,
        "InvalidInternetMessageHeader",
        `The internet message header name '${String(h.name)}' should start with 'x-' or 'X-'.`,
      );
    }
    return { name: h.name, value: String(h.value ?? "") };
  });
}

function overridesFrom(b: Record<string, unknown>, base: MsgOverrides = {}): MsgOverrides {
  const o: MsgOverrides = { ...base };
  for (const [k, v] of Object.entries(b)) {
    switch (k.toLowerCase()) {
      case "subject":
        o.subject = String(v ?? "");
        break;
      case "body": {
        const body = v as { contentType?: string; content?: string } | null;
        o.body = {
          contentType: (body?.contentType ?? "text").toLowerCase() === "html" ? "html" : "text",
          content: String(body?.content ?? ""),
        };
        break;
      }
      case "from":
        o.from = recipient(v, "from");
        break;
      case "sender":
        o.sender = recipient(v, "sender");
        break;
      case "torecipients":
        o.toRecipients = recipients(v, "toRecipients");
        break;
      case "ccrecipients":
        o.ccRecipients = recipients(v, "ccRecipients");
        break;
      case "bccrecipients":
        o.bccRecipients = recipients(v, "bccRecipients");
        break;
      case "replyto":
        o.replyTo = recipients(v, "replyTo");
        break;
      case "internetmessageid":
        if (typeof v !== "string" || !/^<[^>]+@[^>]+>$/.test(v))
          throw new GraphError(
            400,
            "ErrorInvalidInternetMessageId",
            "The internet message id must look like <local@domain>.",
          );
        o.internetMessageId = v;
        break;
      case "importance":
        if (!["low", "normal", "high"].includes(String(v).toLowerCase()))
          throw badRequest("importance must be low, normal or high.", "ErrorInvalidProperty");
        o.importance = String(v).toLowerCase();
        break;
      case "inferenceclassification":
        o.inferenceClassification = String(v);
        break;
      case "isdeliveryreceiptrequested":
        o.isDeliveryReceiptRequested = Boolean(v);
        break;
      case "isreadreceiptrequested":
        o.isReadReceiptRequested = Boolean(v);
        break;
      case "flag":
        o.flag = v as Record<string, unknown>;
        break;
      case "internetmessageheaders": {
        const h = checkHeaders(v);
        if (h) o.internetMessageHeaders = h;
        break;
      }
      default:
        break;
    }
  }
  return o;
}

function newInternetMessageId(sim: Simulator): string {
  return `<${randomBytes(10).toString("hex").toUpperCase()}@${sim.tenant.domain.replace(/\./g, "")}.prod.outlook.com>`;
}

/** `POST …/messages` (JSON): a draft unless `Integer 0x0E07` is given without the unsent bit. */
export async function createFromJson(
  ctx: GraphCtx,
  mbx: Mailbox,
  user: UserRec,
  folder: FolderRec,
  b: Record<string, unknown>,
): Promise<MsgRec> {
  const now = new Date().toISOString();
  const props = sveps(b.singleValueExtendedProperties ?? b.singlevalueextendedproperties);
  const flagsRaw = props[PR_MESSAGE_FLAGS]?.value;
  let isDraft = true;
  let isRead = true;
  if (flagsRaw !== undefined) {
    const flags = Number(flagsRaw);
    if (!Number.isInteger(flags))
      throw new GraphError(
        400,
        "ErrorInvalidExtendedPropertyValue",
        "PidTagMessageFlags must be an integer.",
      );
    isDraft = (flags & 0x8) !== 0;
    isRead = (flags & 0x1) !== 0;
  }
  if (typeof b.isRead === "boolean") isRead = b.isRead;
  const delivery = props[PR_DELIVERY_TIME]?.value;
  const submit = props[PR_SUBMIT_TIME]?.value;
  for (const [v, n] of [
    [delivery, "0x0E06"],
    [submit, "0x0039"],
  ] as const) {
    if (v !== undefined && Number.isNaN(Date.parse(v)))
      throw new GraphError(400, "ErrorInvalidExtendedPropertyValue", `SystemTime ${n} must be an ISO date.`);
  }
  for (const k of [PR_MESSAGE_FLAGS, PR_DELIVERY_TIME, PR_SUBMIT_TIME]) delete props[k];
  const over = overridesFrom(b);
  over.internetMessageId ??= newInternetMessageId(ctx.sim);
  if (!isDraft) {
    over.from ??= { emailAddress: { name: user.displayName, address: user.mail ?? user.userPrincipalName } };
  }
  const received = delivery ? new Date(delivery).toISOString() : now;
  const sent = submit ? new Date(submit).toISOString() : received;
  const m: MsgRec = {
    key: 0,
    folderId: folder.id,
    gen: 0,
    version: 1,
    changeSeq: 0,
    enteredSeq: 0,
    src: { k: "blob", sha: "" },
    created: now,
    modified: now,
    received,
    sent,
    isRead,
    isDraft,
    over,
    atts: [],
    nextAtt: 0,
  };
  if (Array.isArray(b.categories)) m.categories = b.categories.map(String);
  if (Object.keys(props).length > 0) m.svep = props;
  for (const a of (Array.isArray(b.attachments) ? b.attachments : []) as Array<Record<string, unknown>>) {
    addFileAttachment(ctx.sim, m, {
      name: String(a.name ?? "attachment"),
      ...(typeof a.contentType === "string" ? { contentType: a.contentType } : {}),
      content: decodeContentBytes(a.contentBytes),
      isInline: a.isInline === true,
      ...(typeof a.contentId === "string" ? { contentId: a.contentId } : {}),
    });
  }
  await rebuildMime(ctx.sim, mbx, m);
  const { key: _k, gen: _g, version: _v, changeSeq: _c, enteredSeq: _e, ...init } = m;
  return mbx.addMessage(init);
}

/** `POST /users/{id}/messages` with `Content-Type: text/plain` and base64 MIME: always a draft in Drafts. */
export function createFromMime(ctx: GraphCtx, mbx: Mailbox): MsgRec {
  const text = ctx.req.body.toString("latin1").replace(/\s+/g, "");
  if (!text || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new GraphError(
      400,
      "ErrorMimeContentInvalidBase64String",
      "Invalid base64 string for MIME content.",
    );
  }
  const bytes = Buffer.from(text, "base64");
  if (!/^[\x21-\x39\x3b-\x7e]+:/m.test(bytes.subarray(0, 4096).toString("latin1"))) {
    throw new GraphError(400, "ErrorMimeContentInvalid", "The MIME content is not a valid RFC 5322 message.");
  }
  if (
    /multipart\/signed|application\/(x-)?pkcs7-mime/i.test(bytes.subarray(0, 8192).toString("latin1")) &&
    bytes.length > 4 * 1024 * 1024
  ) {
    throw new GraphError(
      413,
      "ErrorMessageSizeExceeded",
      "S/MIME content larger than 4 MB is not supported.",
    );
  }
  const drafts = mbx.wellKnown("drafts") as FolderRec;
  const now = new Date().toISOString();
  const sha = ctx.sim.tenant.blobs.put(bytes);
  return mbx.addMessage({
    folderId: drafts.id,
    src: { k: "blob", sha },
    created: now,
    modified: now,
    received: now,
    sent: now,
    isRead: true,
    isDraft: true,
  });
}

async function patchMessage(ctx: GraphCtx, mbx: Mailbox, m: MsgRec): Promise<SimResponse> {
  const ifMatch = ctx.req.headers["if-match"];
  if (ifMatch && ifMatch !== "*" && ifMatch.replace(/^W\//, "").replace(/"/g, "") !== changeKeyOf(mbx, m)) {
    throw new GraphError(
      412,
      "ErrorIrresolvableConflict",
      "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.",
    );
  }
  const b = jsonBody<Record<string, unknown>>(ctx.req);
  let needsMime = false;
  for (const k of Object.keys(b)) {
    const lk = k.toLowerCase();
    if (k.startsWith("@odata.")) continue;
    if (DRAFT_ONLY.has(lk)) {
      if (!m.isDraft) {
        throw new GraphError(
          400,
          "ErrorInvalidPropertyUpdateSentMessage",
          `Update is not allowed for property '${k}' on a message that is not a draft (isDraft = false).`,
        );
      }
      needsMime = true;
    } else if (!ALWAYS.has(lk)) {
      throw new GraphError(400, "ErrorInvalidPropertySet", `The property '${k}' is read-only or unknown.`);
    }
  }
  if (needsMime) await materialize(ctx.sim, mbx, m);
  m.over = overridesFrom(b, m.over);
  if (typeof b.isRead === "boolean") m.isRead = b.isRead;
  if (Array.isArray(b.categories)) m.categories = b.categories.map(String);
  const props = sveps(b.singleValueExtendedProperties ?? b.singlevalueextendedproperties);
  // PidTagMessageFlags and the delivery/submit times are read-only after the first save: ignored
  for (const k of [PR_MESSAGE_FLAGS, PR_DELIVERY_TIME, PR_SUBMIT_TIME]) delete props[k];
  if (Object.keys(props).length > 0) m.svep = { ...m.svep, ...props };
  if (needsMime) await rebuildMime(ctx.sim, mbx, m);
  mbx.touchMessage(m);
  ctx.sim.tenant.changed();
  return json(200, {
    "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/messages/$entity`),
    ...(await messageJson(mbx, m, ctx, {})),
  });
}

function destination(mbx: Mailbox, ctx: GraphCtx): FolderRec {
  const b = jsonBody<{ destinationId?: string; DestinationId?: string }>(ctx.req);
  const id = b.destinationId ?? b.DestinationId;
  if (!id) throw badRequest("destinationId is required.", "ErrorInvalidRequest");
  const f = mbx.findFolder(id);
  if (!f) throw new GraphError(404, "ErrorItemNotFound", "The destination folder was not found.");
  return f;
}

export function copyMessage(mbx: Mailbox, m: MsgRec, dest: FolderRec): MsgRec {
  const now = new Date().toISOString();
  const init: Omit<MsgRec, "key" | "gen" | "version" | "changeSeq" | "enteredSeq"> = {
    folderId: dest.id,
    src: m.src,
    created: now,
    modified: now,
    received: m.received,
    isRead: m.isRead,
    isDraft: m.isDraft,
  };
  if (m.sent) init.sent = m.sent;
  if (m.categories) init.categories = [...m.categories];
  if (m.svep) init.svep = { ...m.svep };
  if (m.over) init.over = structuredClone(m.over);
  if (m.atts) init.atts = m.atts.map((a) => ({ ...a }));
  if (m.nextAtt !== undefined) init.nextAtt = m.nextAtt;
  if (m.keep) init.keep = m.keep;
  return mbx.addMessage(init);
}

/** DELETE: to Recoverable Items\Deletions (the dumpster); already there: purged. */
export function softDelete(mbx: Mailbox, m: MsgRec): void {
  const dumpster = mbx.wellKnown("recoverableitemsdeletions") as FolderRec;
  if (m.folderId === dumpster.id) mbx.removeMessage(m);
  else mbx.moveMessage(m, dumpster);
}

function ownAddress(u: UserRec): RecipientJson {
  return { emailAddress: { name: u.displayName, address: u.mail ?? u.userPrincipalName } };
}

/** Delivers a copy to every recipient that is a mailbox of this tenant (Inbox, unread, non-draft). */
async function deliverInternally(
  ctx: GraphCtx,
  over: MsgOverrides,
  atts: MsgRec["atts"],
  sent: string,
): Promise<void> {
  const all = [...(over.toRecipients ?? []), ...(over.ccRecipients ?? []), ...(over.bccRecipients ?? [])];
  const seen = new Set<string>();
  for (const r of all) {
    const addr = (r.emailAddress.address ?? "").toLowerCase();
    if (!addr || seen.has(addr)) continue;
    seen.add(addr);
    const u = [...ctx.sim.tenant.users.values()].find(
      (x) => (x.mail ?? "").toLowerCase() === addr || x.userPrincipalName.toLowerCase() === addr,
    );
    const mbx = u ? ctx.sim.tenant.mailboxOf(u) : undefined;
    if (!mbx) continue;
    const inbox = mbx.wellKnown("inbox") as FolderRec;
    const now = new Date().toISOString();
    const copy: MsgRec = {
      key: 0,
      folderId: inbox.id,
      gen: 0,
      version: 1,
      changeSeq: 0,
      enteredSeq: 0,
      src: { k: "blob", sha: "" },
      created: now,
      modified: now,
      received: now,
      sent,
      isRead: false,
      isDraft: false,
      over: { ...structuredClone(over), bccRecipients: [] },
      atts: (atts ?? []).map((a) => ({ ...a })),
      nextAtt: atts?.length ?? 0,
    };
    await rebuildMime(ctx.sim, mbx, copy);
    const { key: _k, gen: _g, version: _v, changeSeq: _c, enteredSeq: _e, ...init } = copy;
    mbx.addMessage(init);
  }
}

function messageRoutes(r: GraphRouter, base: string, inFolder: boolean): void {
  r.add("PATCH", `${base}/:id`, (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = inFolder ? findFolderOr404(mbx, ctx.params.folder ?? "") : undefined;
    return patchMessage(ctx, mbx, findMessageOr404(mbx, ctx.params.id ?? "", f));
  });
  r.add("DELETE", `${base}/:id`, (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = inFolder ? findFolderOr404(mbx, ctx.params.folder ?? "") : undefined;
    softDelete(mbx, findMessageOr404(mbx, ctx.params.id ?? "", f));
    ctx.sim.tenant.changed();
    return noContent();
  });
  r.add("POST", `${base}/:id/permanentDelete`, (ctx) => {
    const { mbx } = mailboxOf(ctx);
    mbx.removeMessage(findMessageOr404(mbx, ctx.params.id ?? ""));
    ctx.sim.tenant.changed();
    return noContent();
  });
  r.add("POST", `${base}/:id/move`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    mbx.moveMessage(m, destination(mbx, ctx));
    ctx.sim.tenant.changed();
    return json(201, {
      "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/messages/$entity`),
      ...(await messageJson(mbx, m, ctx, {})),
    });
  });
  r.add("POST", `${base}/:id/copy`, async (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    const c = copyMessage(mbx, m, destination(mbx, ctx));
    ctx.sim.tenant.changed();
    return json(201, {
      "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/messages/$entity`),
      ...(await messageJson(mbx, c, ctx, {})),
    });
  });
  r.add("POST", `${base}/:id/send`, async (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const m = findMessageOr404(mbx, ctx.params.id ?? "");
    if (!m.isDraft) throw new GraphError(400, "ErrorInvalidOperation", "Only draft messages can be sent.");
    await materialize(ctx.sim, mbx, m);
    const now = new Date().toISOString();
    m.over = { ...m.over, from: m.over?.from ?? ownAddress(user) };
    m.isDraft = false;
    m.sent = now;
    m.received = now;
    await rebuildMime(ctx.sim, mbx, m);
    await deliverInternally(ctx, m.over, m.atts, now);
    mbx.moveMessage(m, mbx.wellKnown("sentitems") as FolderRec);
    ctx.sim.tenant.changed();
    return { status: 202 };
  });
}

function folderOr409(mbx: Mailbox, parent: FolderRec, name: string, except?: FolderRec): void {
  const lower = name.toLowerCase();
  if (mbx.children(parent.id).some((c) => c.displayName.toLowerCase() === lower && c.id !== except?.id)) {
    throw new GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
  }
}

function createFolderUnder(ctx: GraphCtx, mbx: Mailbox, parent: FolderRec): SimResponse {
  const b = jsonBody<{ displayName?: string; isHidden?: boolean }>(ctx.req);
  if (!b.displayName) throw badRequest("displayName is required.", "ErrorInvalidRequest");
  folderOr409(mbx, parent, b.displayName);
  const f = mbx.addFolder(b.displayName, parent.id, { hidden: b.isHidden === true });
  mbx.touchFolder(parent);
  ctx.sim.tenant.changed();
  return json(201, {
    "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/mailFolders/$entity`),
    ...folderJson(ctx, mbx, f),
  });
}

export function translateId(mbx: Mailbox, id: string, target: IdFormat): string | undefined {
  const d = decodeId(id);
  if (!d || d.mailboxGuid !== mbx.guid) return undefined;
  let gen = d.gen ?? 0;
  if (d.kind === ItemKind.message) {
    const m = mbx.messages.get(d.key);
    if (!m) return undefined;
    gen = m.gen;
  }
  return encodeId(
    { mailboxGuid: mbx.guid, kind: d.kind, key: d.key, gen, ...(d.sub !== undefined ? { sub: d.sub } : {}) },
    target,
  );
}

const ID_TYPES: Record<string, IdFormat> = {
  restid: "rest",
  restimmutableentryid: "immutable",
  ewsid: "ews",
  entryid: "entry",
  immutableentryid: "immutableEntry",
};

export function registerMailWrite(r: GraphRouter): void {
  r.add("POST", "users/:user/messages", async (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const ct = (ctx.req.headers["content-type"] ?? "").toLowerCase();
    const m = ct.startsWith("text/plain")
      ? createFromMime(ctx, mbx)
      : await createFromJson(ctx, mbx, user, mbx.wellKnown("drafts") as FolderRec, jsonBody(ctx.req));
    ctx.sim.tenant.changed();
    return json(201, {
      "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/messages/$entity`),
      ...(await messageJson(mbx, m, ctx, {})),
    });
  });
  r.add("POST", "users/:user/mailFolders/:folder/messages", async (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    const ct = (ctx.req.headers["content-type"] ?? "").toLowerCase();
    if (ct.startsWith("text/plain")) {
      throw new GraphError(
        400,
        "ErrorMimeContentNotSupported",
        "MIME content is accepted only on /users/{id}/messages (it creates a draft); move it afterwards.",
      );
    }
    const m = await createFromJson(ctx, mbx, user, f, jsonBody(ctx.req));
    ctx.sim.tenant.changed();
    return json(201, {
      "@odata.context": contextUrl(
        ctx,
        `users('${ctx.params.user}')/mailFolders('${f.id}')/messages/$entity`,
      ),
      ...(await messageJson(mbx, m, ctx, {})),
    });
  });
  messageRoutes(r, "users/:user/messages", false);
  messageRoutes(r, "users/:user/mailFolders/:folder/messages", true);

  r.add("POST", "users/:user/sendMail", async (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const b = jsonBody<{ message?: Record<string, unknown>; saveToSentItems?: boolean }>(ctx.req);
    if (!b.message) throw badRequest("The 'message' parameter is required.", "ErrorInvalidRequest");
    const over = overridesFrom(b.message);
    if (
      (over.toRecipients?.length ?? 0) +
        (over.ccRecipients?.length ?? 0) +
        (over.bccRecipients?.length ?? 0) ===
      0
    ) {
      throw new GraphError(
        400,
        "ErrorInvalidRecipients",
        "At least one recipient is not valid., A message can't be sent because it contains no recipients.",
      );
    }
    over.from ??= ownAddress(user);
    over.internetMessageId ??= newInternetMessageId(ctx.sim);
    const now = new Date().toISOString();
    const sentItem: MsgRec = {
      key: 0,
      folderId: (mbx.wellKnown("sentitems") as FolderRec).id,
      gen: 0,
      version: 1,
      changeSeq: 0,
      enteredSeq: 0,
      src: { k: "blob", sha: "" },
      created: now,
      modified: now,
      received: now,
      sent: now,
      isRead: true,
      isDraft: false,
      over,
      atts: [],
      nextAtt: 0,
    };
    for (const a of (Array.isArray(b.message.attachments) ? b.message.attachments : []) as Array<
      Record<string, unknown>
    >) {
      addFileAttachment(ctx.sim, sentItem, {
        name: String(a.name ?? "attachment"),
        ...(typeof a.contentType === "string" ? { contentType: a.contentType } : {}),
        content: decodeContentBytes(a.contentBytes),
      });
    }
    await rebuildMime(ctx.sim, mbx, sentItem);
    if (b.saveToSentItems !== false) {
      const { key: _k, gen: _g, version: _v, changeSeq: _c, enteredSeq: _e, ...init } = sentItem;
      mbx.addMessage(init);
    }
    await deliverInternally(ctx, over, sentItem.atts, now);
    ctx.sim.tenant.changed();
    return { status: 202 };
  });

  r.add("POST", "users/:user/translateExchangeIds", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const b = jsonBody<{ inputIds?: string[]; sourceIdType?: string; targetIdType?: string }>(ctx.req);
    const source = ID_TYPES[(b.sourceIdType ?? "").toLowerCase()];
    const target = ID_TYPES[(b.targetIdType ?? "").toLowerCase()];
    if (!source || !target)
      throw badRequest(
        "sourceIdType and targetIdType must be one of restId, ewsId, entryId, immutableEntryId, restImmutableEntryId.",
        "ErrorInvalidParameter",
      );
    if (!Array.isArray(b.inputIds) || b.inputIds.length === 0)
      throw badRequest("inputIds is required.", "ErrorInvalidParameter");
    if (b.inputIds.length > 1000)
      throw badRequest("At most 1000 ids can be translated at once.", "ErrorInvalidParameter");
    const value = b.inputIds.map((id) => {
      const d = decodeId(id);
      // REST and EWS ids differ only in two base64 characters, which an id may not contain at all
      const restLike = (f: IdFormat) => f === "rest" || f === "ews";
      const matches = d && (d.format === source || (restLike(source) && restLike(d.format)));
      const targetId = matches ? translateId(mbx, id, target) : undefined;
      if (!targetId)
        return {
          sourceId: id,
          errorDetails: { code: "ErrorInvalidIdMalformed", message: "Id is malformed." },
        };
      return { sourceId: id, targetId };
    });
    return json(200, {
      "@odata.context": contextUrl(ctx, "Collection(microsoft.graph.convertIdResult)"),
      value,
    });
  });

  // folders
  r.add("POST", "users/:user/mailFolders", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    return createFolderUnder(ctx, mbx, mbx.root);
  });
  r.add("POST", "users/:user/mailFolders/:folder/childFolders", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    return createFolderUnder(ctx, mbx, findFolderOr404(mbx, ctx.params.folder ?? ""));
  });
  r.add("PATCH", "users/:user/mailFolders/:folder", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    const b = jsonBody<{ displayName?: string }>(ctx.req);
    if (b.displayName) {
      if (f.wellKnown)
        throw new GraphError(
          400,
          "ErrorCannotRenameOrMoveDistinguishedFolder",
          "Distinguished folders cannot be renamed.",
        );
      const parent = mbx.folders.get(f.parentId ?? "");
      if (parent) folderOr409(mbx, parent, b.displayName, f);
      f.displayName = b.displayName;
    }
    mbx.touchFolder(f);
    ctx.sim.tenant.changed();
    return json(200, {
      "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/mailFolders/$entity`),
      ...folderJson(ctx, mbx, f),
    });
  });
  r.add("DELETE", "users/:user/mailFolders/:folder", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    if (f.wellKnown)
      throw new GraphError(400, "ErrorDeleteDistinguishedFolder", "Distinguished folders cannot be deleted.");
    const deleted = mbx.wellKnown("deleteditems") as FolderRec;
    if (mbx.isUnderOrSelf(f, deleted.id)) mbx.removeFolderTree(f);
    else moveFolder(mbx, f, deleted);
    ctx.sim.tenant.changed();
    return noContent();
  });
  r.add("POST", "users/:user/mailFolders/:folder/move", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    if (f.wellKnown)
      throw new GraphError(
        400,
        "ErrorCannotRenameOrMoveDistinguishedFolder",
        "Distinguished folders cannot be moved.",
      );
    const dest = destination(mbx, ctx);
    if (mbx.isUnderOrSelf(dest, f.id))
      throw badRequest("A folder cannot be moved into itself.", "ErrorMoveCopyFailed");
    moveFolder(mbx, f, dest);
    ctx.sim.tenant.changed();
    return json(201, {
      "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/mailFolders/$entity`),
      ...folderJson(ctx, mbx, f),
    });
  });
}

function moveFolder(mbx: Mailbox, f: FolderRec, dest: FolderRec): void {
  folderOr409(mbx, dest, f.displayName, f);
  const old = mbx.folders.get(f.parentId ?? "");
  f.parentId = dest.id;
  mbx.touchFolder(f);
  mbx.touchFolder(dest);
  if (old) mbx.touchFolder(old);
}

export { notFound };
