import { GraphError, notFound } from "../http";
import type { PimItem, PimStore } from "../model/pim-store";
import { pimOf } from "../model/pim-store";
import {
  changeKey,
  contextUrl,
  deltaResponse,
  etag,
  itemCollection,
  listPage,
  type PimView,
  preview,
  removed,
  select,
  viewOf,
} from "../model/pim-view";
import { parseSelect } from "../odata";
import { type GraphCtx, type GraphRouter, json, mailboxOf, q } from "./context";

/** Outlook notes (beta only: v1.0 has no note resource): list, get, delta. */

type Json = Record<string, unknown>;

export function noteJson(v: PimView, store: PimStore, it: PimItem, odataType = false): Json {
  const p = it.props;
  const out: Json = {};
  if (odataType) out["@odata.type"] = "#microsoft.graph.note";
  out["@odata.etag"] = etag(it.version, it.key);
  Object.assign(out, {
    id: store.itemId(it, v.format),
    createdDateTime: it.created,
    lastModifiedDateTime: it.modified,
    changeKey: changeKey(it.version, it.key),
    categories: p.categories ?? [],
    subject: p.subject ?? "",
    body: p.body ?? { contentType: "html", content: "" },
    bodyPreview: preview(p.body),
    isDeleted: false,
    hasAttachments: false,
  });
  return out;
}

/** The canonical GET the worker archives: `GET /beta/users/{oid}/notes/{id}`. */
export function noteGetBody(v: PimView, store: PimStore, it: PimItem): Json {
  return { "@odata.context": contextUrl(v, `users('${v.userId}')/notes/$entity`), ...noteJson(v, store, it) };
}

function ctxStore(ctx: GraphCtx) {
  if (ctx.version !== "beta")
    throw new GraphError(400, "BadRequest", "Resource not found for the segment 'notes'.");
  const { user, mbx } = mailboxOf(ctx);
  return { mbx, store: pimOf(mbx), v: viewOf(ctx, user.id) };
}

export function registerNotes(r: GraphRouter): void {
  r.add("GET", "users/:user/notes", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const fields = parseSelect(q(ctx, "select"));
    const all = store
      .itemsOf("note")
      .sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : b.key - a.key))
      .map((i) => select(noteJson(v, store, i), fields));
    return listPage(ctx, all, contextUrl(v, `users('${v.userId}')/notes`), (skip) => {
      const qs = new URLSearchParams();
      for (const [k, val] of ctx.req.query)
        if (k !== "skip") qs.set(/^(top|select)$/.test(k) ? `$${k}` : k, val);
      qs.set("$skip", String(skip));
      return `${ctx.base}/${ctx.segs.join("/")}?${qs.toString().replace(/%24/g, "$").replace(/%2C/g, ",")}`;
    });
  });
  r.add("GET", "users/:user/notes/delta", (ctx) => {
    const { mbx, store, v } = ctxStore(ctx);
    const opts: Record<string, string> = {};
    const sel = q(ctx, "select");
    if (sel) opts.select = sel;
    return deltaResponse(ctx, mbx, {
      kind: "notes",
      scope: "notes",
      link: `${ctx.base}/users/${ctx.params.user}/notes/delta`,
      opts,
      collection: () => itemCollection(store, "note", undefined),
      render: (e, o) => {
        if (e.tomb)
          return removed("#microsoft.graph.note", store.itemId({ key: e.key, kind: "note", gen: 0 }));
        const it = store.items.get(e.key);
        return it ? select(noteJson(v, store, it, true), parseSelect(o.select)) : undefined;
      },
      odataType: "note",
    });
  });
  r.add("GET", "users/:user/notes/:id", (ctx) => {
    const { store, v } = ctxStore(ctx);
    const it = store.findItem("note", ctx.params.id ?? "");
    if (!it) throw notFound();
    return json(200, {
      "@odata.context": contextUrl(v, `users('${v.userId}')/notes/$entity`),
      ...select(noteJson(v, store, it), parseSelect(q(ctx, "select"))),
    });
  });
}
