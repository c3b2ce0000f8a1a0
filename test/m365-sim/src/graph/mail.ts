import { badRequest, GraphError, notFound, type SimResponse } from "../http";
import {
  type ChainStore,
  type DeltaCollection,
  type DeltaEntry,
  type ParsedToken,
  seqKey,
} from "../model/delta";
import type { FolderRec, Mailbox, MsgRec } from "../model/mailbox";
import { type Expr, evaluate, parseExpand, parseFilter, parseSelect, parseTop } from "../odata";
import {
  contextUrl,
  type GraphCtx,
  type GraphRouter,
  json,
  mailboxOf,
  preferredPageSize,
  q,
  selfLink,
} from "./context";
import {
  filterUsesSvep,
  filterView,
  isoZ,
  messageJson,
  prepareSvepFilter,
  svepCaseSensitive,
} from "./message-view";

/** Mail folders and messages: lists, items, MIME, and delta. */

const MAX_TOP = 1000;
const DELTA_DEFAULT_PAGE = 10;
const DELTA_MAX_PAGE = 1000;
const FILTERED_DELTA_CAP = 5000;

export function folderJson(
  ctx: GraphCtx,
  mbx: Mailbox,
  f: FolderRec,
  select?: string[],
): Record<string, unknown> {
  const counts = mbx.counts(f.id);
  const full: Record<string, unknown> = {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentId ?? mbx.folderId(0),
    childFolderCount: mbx.children(f.id).length,
    unreadItemCount: counts.unread,
    totalItemCount: counts.total,
    isHidden: f.hidden,
  };
  if (ctx.version === "beta") full.wellKnownName = f.wellKnown ?? null;
  if (!select) return full;
  const out: Record<string, unknown> = { id: f.id };
  for (const s of select) {
    const k = Object.keys(full).find((x) => x.toLowerCase() === s.toLowerCase());
    if (k) out[k] = full[k];
  }
  return out;
}

export function findFolderOr404(mbx: Mailbox, idOrName: string): FolderRec {
  const f = mbx.findFolder(idOrName);
  if (!f) throw notFound();
  return f;
}

export function findMessageOr404(mbx: Mailbox, id: string, folder?: FolderRec): MsgRec {
  const m = mbx.findMessage(id);
  if (!m || (folder && m.folderId !== folder.id)) throw notFound();
  return m;
}

function includeHidden(ctx: GraphCtx): boolean {
  return (q(ctx, "includeHiddenFolders") ?? "").toLowerCase() === "true";
}

function listFolders(ctx: GraphCtx, mbx: Mailbox, folders: FolderRec[], contextPath: string): SimResponse {
  const select = parseSelect(q(ctx, "select"));
  const filterRaw = q(ctx, "filter");
  const list = folders.filter((f) => includeHidden(ctx) || !f.hidden);
  list.sort((a, b) => a.displayName.localeCompare(b.displayName));
  let views = list.map((f) => folderJson(ctx, mbx, f));
  if (filterRaw) {
    const fe = parseFilter(filterRaw);
    views = views.filter((v) => evaluate(fe, v));
  }
  const top = parseTop(q(ctx, "top"), MAX_TOP) ?? 10;
  const skip = Number(q(ctx, "skip") ?? 0) || 0;
  const page = views.slice(skip, skip + top);
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx, contextPath) };
  if ((q(ctx, "count") ?? "") === "true") body["@odata.count"] = views.length;
  body.value = page.map((v) =>
    select ? folderJson(ctx, mbx, mbx.findFolder(String(v.id)) as FolderRec, select) : v,
  );
  if (skip + top < views.length) body["@odata.nextLink"] = selfLink(ctx, { $skip: String(skip + top) });
  return json(200, body);
}

// ---------------- delta plumbing shared by every delta endpoint ----------------

export interface DeltaRequest {
  kind: string;
  scope: string;
  /** Options encoded into the chain on the first request. */
  opts: Record<string, string>;
  /** Absolute URL of the delta endpoint without tokens (links and 410 Location). */
  link: string;
}

/** Resolves the token (or starts a chain) and validates that it belongs to this endpoint. */
export function startOrResume(
  store: ChainStore,
  mbx: Mailbox,
  ctx: GraphCtx,
  r: DeltaRequest,
  notFoundScope?: () => GraphError,
): { chain: ReturnType<ChainStore["create"]>; parsed: ParsedToken | undefined } {
  const token = q(ctx, "deltatoken") ?? q(ctx, "skiptoken");
  if (token) {
    const { chain, parsed } = store.resolve(token, r.link);
    if (chain.kind !== r.kind || chain.mailbox !== mbx.guid || chain.scope !== r.scope) {
      throw new GraphError(
        410,
        "SyncStateInvalid",
        "The sync state does not belong to this folder or resource.",
        { Location: r.link },
      );
    }
    return { chain, parsed };
  }
  if (notFoundScope) throw notFoundScope();
  return { chain: store.create(r.kind, mbx.guid, r.scope, r.opts), parsed: undefined };
}

export function deltaLinks(
  link: string,
  page: { skipToken?: string; deltaToken?: string },
): Record<string, string> {
  const sep = link.includes("?") ? "&" : "?";
  if (page.skipToken) return { "@odata.nextLink": `${link}${sep}$skiptoken=${page.skipToken}` };
  return { "@odata.deltaLink": `${link}${sep}$deltatoken=${page.deltaToken}` };
}

function deltaPageSize(ctx: GraphCtx): { size: number; headers: Record<string, string> } {
  const p = preferredPageSize(ctx, DELTA_DEFAULT_PAGE, DELTA_MAX_PAGE);
  return { size: p.size, headers: p.applied ? { "Preference-Applied": `odata.maxpagesize=${p.size}` } : {} };
}

// ---------------- message delta ----------------

interface MsgDeltaOpts {
  receivedMin?: { ms: number; strict: boolean };
  orderDesc: boolean;
  changeType?: string;
}

function parseMessageDeltaOpts(ctx: GraphCtx): Record<string, string> {
  const opts: Record<string, string> = {};
  const filter = q(ctx, "filter");
  if (filter) {
    const m = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$/i.exec(filter);
    if (!m || Number.isNaN(Date.parse(m[2] as string))) {
      throw new GraphError(
        400,
        "ErrorInvalidUrlQueryFilter",
        "The query filter contains one or more invalid nodes. Delta supports only 'receivedDateTime ge|gt {value}'.",
      );
    }
    opts.filter = filter;
  }
  const orderby = q(ctx, "orderby");
  if (orderby) {
    if (!/^\s*receivedDateTime\s+desc\s*$/i.test(orderby))
      throw badRequest("Delta supports only '$orderby=receivedDateTime desc'.", "ErrorInvalidUrlQuery");
    opts.orderby = "desc";
  }
  const ct = q(ctx, "changeType");
  if (ct) {
    if (!/^(created|updated|deleted)$/i.test(ct))
      throw badRequest(`Invalid changeType '${ct}'.`, "ErrorInvalidUrlQuery");
    opts.changeType = ct.toLowerCase();
  }
  for (const k of ["select", "expand", "top"]) {
    const v = q(ctx, k);
    if (v !== undefined) opts[k] = v;
  }
  if (opts.top !== undefined) parseTop(opts.top, 1000);
  return opts;
}

function msgOpts(o: Record<string, string>): MsgDeltaOpts {
  const out: MsgDeltaOpts = { orderDesc: o.orderby === "desc" };
  if (o.filter) {
    const m = /receivedDateTime\s+(ge|gt)\s+(\S+)/i.exec(o.filter);
    if (m)
      out.receivedMin = { ms: Date.parse(m[2] as string), strict: (m[1] as string).toLowerCase() === "gt" };
  }
  if (o.changeType) out.changeType = o.changeType;
  return out;
}

const MAX_TIME = 8.64e15;

function messageCollection(mbx: Mailbox, folderId: string, o: MsgDeltaOpts): DeltaCollection {
  const passes = (m: MsgRec) => {
    if (!o.receivedMin) return true;
    const ms = Date.parse(m.received);
    return o.receivedMin.strict ? ms > o.receivedMin.ms : ms >= o.receivedMin.ms;
  };
  return {
    entries(since, until, includeTombs) {
      const out: DeltaEntry[] = [];
      if (o.changeType !== "deleted") {
        for (const key of mbx.byFolder.get(folderId) ?? []) {
          const m = mbx.messages.get(key);
          if (!m || m.changeSeq <= since || m.changeSeq > until || !passes(m)) continue;
          const created = m.enteredSeq > since;
          if (o.changeType === "created" && !created) continue;
          if (o.changeType === "updated" && created) continue;
          const sort = o.orderDesc
            ? `1${(MAX_TIME - Date.parse(m.received)).toString(16).padStart(14, "0")}${seqKey(m.key)}`
            : seqKey(m.changeSeq);
          out.push({ key: m.key, seq: m.changeSeq, sort, created });
        }
      }
      if (includeTombs && (o.changeType === undefined || o.changeType === "deleted")) {
        for (const t of mbx.msgTombs.get(folderId) ?? []) {
          if (t.seq <= since || t.seq > until) continue;
          out.push({
            key: t.key,
            seq: t.seq,
            sort: o.orderDesc ? `0${seqKey(t.seq)}` : seqKey(t.seq),
            tomb: { gen: t.gen },
            created: false,
          });
        }
      }
      return out;
    },
    // An item that changed after the round started is still sent, with its current state; the change
    // then also shows in the next round. That is one source of the "replays" clients must tolerate.
    valid(e) {
      const m = mbx.messages.get(e.key);
      return m !== undefined && m.folderId === folderId && passes(m);
    },
  };
}

export function removedJson(type: string, id: string): Record<string, unknown> {
  return { "@odata.type": type, id, "@removed": { reason: "deleted" } };
}

async function messagesDelta(ctx: GraphCtx): Promise<SimResponse> {
  const { mbx } = mailboxOf(ctx);
  const store = ctx.sim.tenant.chains;
  const folder = mbx.findFolder(ctx.params.folder ?? "");
  const folderKey = folder?.id ?? ctx.params.folder ?? "";
  const link = `${ctx.base}/users/${ctx.params.user}/mailFolders('${folderKey}')/messages/delta`;
  const hasToken = q(ctx, "deltatoken") !== undefined || q(ctx, "skiptoken") !== undefined;
  if (!folder) {
    if (hasToken)
      throw new GraphError(404, "ErrorSyncFolderNotFound", "The sync folder was not found (it was deleted).");
    throw notFound();
  }
  const { chain, parsed } = startOrResume(store, mbx, ctx, {
    kind: "messages",
    scope: folder.id,
    opts: parsed0(ctx),
    link,
  });
  const o = msgOpts(chain.opts);
  const { size, headers } = deltaPageSize(ctx);
  const top = chain.opts.top !== undefined ? Number(chain.opts.top) : undefined;
  const cap = o.receivedMin ? Math.min(FILTERED_DELTA_CAP, top ?? FILTERED_DELTA_CAP) : top;
  const page = store.page(chain, parsed, messageCollection(mbx, folder.id, o), mbx.seq, size, cap);
  const select = parseSelect(chain.opts.select);
  const expand = parseExpand(chain.opts.expand);
  const value: unknown[] = [];
  for (const e of page.entries) {
    if (e.tomb) {
      value.push(
        removedJson(
          "#microsoft.graph.message",
          mbx.messageId({ key: e.key, gen: e.tomb.gen }, ctx.immutable ? "immutable" : "rest"),
        ),
      );
      continue;
    }
    const m = mbx.messages.get(e.key);
    if (m) value.push(await messageJson(mbx, m, ctx, { select, expand, odataType: true }));
  }
  ctx.sim.tenant.changed();
  return json(
    200,
    {
      "@odata.context": contextUrl(ctx, `Collection(message)`),
      ...deltaLinks(link, page),
      value,
    },
    headers,
  );
}

function parsed0(ctx: GraphCtx): Record<string, string> {
  return q(ctx, "deltatoken") || q(ctx, "skiptoken") ? {} : parseMessageDeltaOpts(ctx);
}

// ---------------- folder delta ----------------

function folderCollection(mbx: Mailbox, scopeId: string, hidden: boolean): DeltaCollection {
  const inScope = (f: FolderRec) =>
    f.id !== scopeId &&
    mbx.isUnderOrSelf(f, scopeId) &&
    (hidden || !f.hidden) &&
    (mbx.isIpm(f) || scopeId !== mbx.root.id);
  return {
    entries(since, until, includeTombs) {
      const out: DeltaEntry[] = [];
      for (const f of mbx.folders.values()) {
        if (f.changeSeq <= since || f.changeSeq > until || !inScope(f)) continue;
        out.push({ key: f.key, seq: f.changeSeq, sort: seqKey(f.changeSeq), created: false });
      }
      if (includeTombs) {
        for (const t of mbx.folderTombs) {
          if (t.seq <= since || t.seq > until) continue;
          out.push({ key: 0, seq: t.seq, sort: seqKey(t.seq), tomb: { gen: 0, id: t.id }, created: false });
        }
      }
      return out;
    },
    valid(e, until) {
      const f = mbx.folders.get(mbx.folderId(e.key));
      return f !== undefined && f.changeSeq <= until && inScope(f);
    },
  };
}

async function foldersDelta(ctx: GraphCtx, scope: FolderRec | undefined): Promise<SimResponse> {
  const { mbx } = mailboxOf(ctx);
  const store = ctx.sim.tenant.chains;
  const root = scope ?? mbx.root;
  const link = scope
    ? `${ctx.base}/users/${ctx.params.user}/mailFolders('${scope.id}')/childFolders/delta`
    : `${ctx.base}/users/${ctx.params.user}/mailFolders/delta`;
  const opts: Record<string, string> = {};
  const sel = q(ctx, "select");
  if (sel) opts.select = sel;
  if (includeHidden(ctx)) opts.hidden = "true";
  const { chain, parsed } = startOrResume(store, mbx, ctx, { kind: "folders", scope: root.id, opts, link });
  const { size, headers } = deltaPageSize(ctx);
  const page = store.page(
    chain,
    parsed,
    folderCollection(mbx, root.id, chain.opts.hidden === "true"),
    mbx.seq,
    size,
  );
  const select = parseSelect(chain.opts.select);
  const value: unknown[] = page.entries.map((e) => {
    if (e.tomb) return removedJson("#microsoft.graph.mailFolder", e.tomb.id ?? "");
    const f = mbx.folders.get(mbx.folderId(e.key)) as FolderRec;
    return { "@odata.type": "#microsoft.graph.mailFolder", ...folderJson(ctx, mbx, f, select) };
  });
  ctx.sim.tenant.changed();
  return json(
    200,
    { "@odata.context": contextUrl(ctx, "Collection(mailFolder)"), ...deltaLinks(link, page), value },
    headers,
  );
}

// ---------------- message lists and items ----------------

function sortMessages(mbx: Mailbox, keys: number[], orderby: string | undefined): number[] {
  if (!orderby || /^\s*receivedDateTime\s+desc\s*$/i.test(orderby)) return keys;
  const [prop, dir] = orderby.trim().split(/\s+/);
  const desc = (dir ?? "").toLowerCase() === "desc";
  const val = (k: number): string => {
    const m = mbx.messages.get(k) as MsgRec;
    const p = (prop ?? "").toLowerCase();
    if (p === "receiveddatetime") return m.received;
    if (p === "sentdatetime") return m.sent ?? mbx.meta(m).date ?? m.received;
    if (p === "subject") return (m.over?.subject ?? mbx.meta(m).subject).toLowerCase();
    if (p === "lastmodifieddatetime") return m.modified;
    if (p === "createddatetime") return m.created;
    throw badRequest(`The property '${prop}' cannot be used in $orderby.`, "ErrorInvalidProperty");
  };
  return [...keys].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
  });
}

async function listMessages(
  ctx: GraphCtx,
  mbx: Mailbox,
  keys: number[],
  contextPath: string,
): Promise<SimResponse> {
  const select = parseSelect(q(ctx, "select"));
  const expand = parseExpand(q(ctx, "expand"));
  const filterRaw = q(ctx, "filter");
  let filter: Expr | undefined;
  if (filterRaw) filter = prepareSvepFilter(parseFilter(filterRaw));
  const pref = preferredPageSize(ctx, 10, MAX_TOP);
  const top = parseTop(q(ctx, "top"), MAX_TOP) ?? pref.size;
  const skip = Number(q(ctx, "skip") ?? 0) || 0;
  let ordered = sortMessages(mbx, keys, q(ctx, "orderby"));
  const search = q(ctx, "search");
  if (filter || search) {
    const needsSvep = filter ? filterUsesSvep(filter) : false;
    const f = filter;
    const term = search?.replace(/^"|"$/g, "").toLowerCase();
    ordered = ordered.filter((k) => {
      const m = mbx.messages.get(k) as MsgRec;
      const view = filterView(mbx, m, ctx, needsSvep);
      if (f && !evaluate(f, view, { caseSensitive: svepCaseSensitive })) return false;
      if (term) {
        const hay =
          `${view.subject ?? ""} ${JSON.stringify(view.from ?? "")} ${JSON.stringify(view.toRecipients ?? "")}`.toLowerCase();
        const t = term.includes(":") ? term.slice(term.indexOf(":") + 1) : term;
        if (!hay.includes(t)) return false;
      }
      return true;
    });
  }
  const page = ordered.slice(skip, skip + top);
  const value: unknown[] = [];
  for (const k of page)
    value.push(await messageJson(mbx, mbx.messages.get(k) as MsgRec, ctx, { select, expand }));
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx, contextPath) };
  if ((q(ctx, "count") ?? "") === "true") body["@odata.count"] = ordered.length;
  body.value = value;
  if (skip + top < ordered.length) body["@odata.nextLink"] = selfLink(ctx, { $skip: String(skip + top) });
  return json(
    200,
    body,
    pref.applied && q(ctx, "top") === undefined
      ? { "Preference-Applied": `odata.maxpagesize=${pref.size}` }
      : {},
  );
}

export async function getMessage(ctx: GraphCtx, mbx: Mailbox, m: MsgRec): Promise<SimResponse> {
  const select = parseSelect(q(ctx, "select"));
  const expand = parseExpand(q(ctx, "expand"));
  const body = await messageJson(mbx, m, ctx, { select, expand });
  return json(200, {
    "@odata.context": contextUrl(ctx, `users('${ctx.params.user}')/messages/$entity`),
    ...body,
  });
}

export function mimeResponse(mbx: Mailbox, m: MsgRec): SimResponse {
  const src = m.src;
  if (src.k === "blob" && !mbx.sources.blobs.has(src.sha))
    throw new GraphError(500, "ErrorCorruptData", "The message content is missing.");
  // One composition for both the Content-Length and the bytes (generated messages)
  const content = mbx.openContent(m);
  // Bytes in memory go out in one write with their Content-Length; a stream costs a step per chunk
  if (content.bytes) return { status: 200, headers: { "Content-Type": "text/plain" }, body: content.bytes };
  return {
    status: 200,
    headers: { "Content-Type": "text/plain" },
    stream: { open: content.open, length: content.size },
  };
}

export function registerMailRead(r: GraphRouter): void {
  r.add("GET", "users/:user/mailFolders", (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    // v1.0 lists the children of msgfolderroot only; beta lists every folder of the IPM subtree.
    const folders =
      ctx.version === "beta"
        ? [...mbx.folders.values()].filter((f) => mbx.isIpm(f))
        : mbx.children(mbx.root.id);
    return listFolders(ctx, mbx, folders, `users('${user.id}')/mailFolders`);
  });
  r.add("GET", "users/:user/mailFolders/delta", (ctx) => foldersDelta(ctx, undefined));
  r.add("GET", "users/:user/mailFolders/:folder", (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    return json(200, {
      "@odata.context": contextUrl(ctx, `users('${user.id}')/mailFolders/$entity`),
      ...folderJson(ctx, mbx, f, parseSelect(q(ctx, "select"))),
    });
  });
  r.add("GET", "users/:user/mailFolders/:folder/childFolders", (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    return listFolders(
      ctx,
      mbx,
      mbx.children(f.id),
      `users('${user.id}')/mailFolders('${f.id}')/childFolders`,
    );
  });
  r.add("GET", "users/:user/mailFolders/:folder/childFolders/delta", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    return foldersDelta(ctx, findFolderOr404(mbx, ctx.params.folder ?? ""));
  });
  r.add("GET", "users/:user/mailFolders/:folder/childFolders/:child", (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const parent = findFolderOr404(mbx, ctx.params.folder ?? "");
    const f = findFolderOr404(mbx, ctx.params.child ?? "");
    if (f.parentId !== parent.id) throw notFound();
    return json(200, {
      "@odata.context": contextUrl(ctx, `users('${user.id}')/mailFolders/$entity`),
      ...folderJson(ctx, mbx, f, parseSelect(q(ctx, "select"))),
    });
  });

  r.add("GET", "users/:user/messages", (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const keys = [...mbx.ipmMessages()]
      .sort((a, b) => (a.received < b.received ? 1 : a.received > b.received ? -1 : b.key - a.key))
      .map((m) => m.key);
    return listMessages(ctx, mbx, keys, `users('${user.id}')/messages`);
  });
  r.add("GET", "users/:user/mailFolders/:folder/messages", (ctx) => {
    const { mbx, user } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    return listMessages(
      ctx,
      mbx,
      mbx.sortedKeys(f.id),
      `users('${user.id}')/mailFolders('${f.id}')/messages`,
    );
  });
  r.add("GET", "users/:user/mailFolders/:folder/messages/delta", messagesDelta);
  r.add("GET", "users/:user/messages/:id", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    return getMessage(ctx, mbx, findMessageOr404(mbx, ctx.params.id ?? ""));
  });
  r.add("GET", "users/:user/mailFolders/:folder/messages/:id", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    return getMessage(ctx, mbx, findMessageOr404(mbx, ctx.params.id ?? "", f));
  });
  r.add("GET", "users/:user/messages/:id/$value", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    return mimeResponse(mbx, findMessageOr404(mbx, ctx.params.id ?? ""));
  });
  r.add("GET", "users/:user/mailFolders/:folder/messages/:id/$value", (ctx) => {
    const { mbx } = mailboxOf(ctx);
    const f = findFolderOr404(mbx, ctx.params.folder ?? "");
    return mimeResponse(mbx, findMessageOr404(mbx, ctx.params.id ?? "", f));
  });
}

export { isoZ };
