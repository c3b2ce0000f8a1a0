import { createHash } from "node:crypto";
import type { GraphCtx } from "../graph/context";
import { json, preferredPageSize, q } from "../graph/context";
import { deltaLinks, startOrResume } from "../graph/mail";
import { GraphError, type SimResponse } from "../http";
import type { IdFormat } from "../ids";
import type { DeltaCollection, DeltaEntry } from "./delta";
import { seqKey } from "./delta";
import type { Mailbox } from "./mailbox";
import type { ContainerKind, ItemKindName, PimStore } from "./pim-store";

/**
 * What a PIM JSON view depends on besides the data: where it is served (links, `@odata.context`),
 * the id format and the time zone. Handlers take it from the request; the control API's state uses
 * the canonical form the worker requests (object id in the path, immutable ids, UTC), so the sha256 it
 * reports is the sha256 of the bytes a Graph GET returns.
 */
export interface PimView {
  /** `https://host:port/v1.0` or `…/beta`. */
  base: string;
  version: "v1.0" | "beta";
  /** The mailbox owner's object id (used in `@odata.context`, whatever spelling the path had). */
  userId: string;
  format: IdFormat;
  /** Zone of event start/end: `Prefer: outlook.timezone`, else UTC. */
  tz: string;
}

export function viewOf(ctx: GraphCtx, userId: string): PimView {
  return {
    base: ctx.base,
    version: ctx.version,
    userId,
    format: ctx.immutable ? "immutable" : "rest",
    tz: ctx.prefer.get("outlook.timezone") || "UTC",
  };
}

export function canonicalView(simUrl: string, version: "v1.0" | "beta", userId: string): PimView {
  return { base: `${simUrl}/${version}`, version, userId, format: "immutable", tz: "UTC" };
}

export function contextUrl(v: PimView, fragment: string): string {
  return `${v.base}/$metadata#${fragment}`;
}

export function etag(version: number, key: number): string {
  return `W/"${changeKey(version, key)}"`;
}

/** Exchange change keys are base64 of a version blob; ours encode the item key and its version. */
export function changeKey(version: number, key: number): string {
  const b = Buffer.alloc(20);
  b.write("CQAAABYAAAA", 0, "latin1");
  b.writeUInt32BE(key >>> 0, 12);
  b.writeUInt32BE(version >>> 0, 16);
  return b.toString("base64");
}

export function sha256(s: string | Buffer): string {
  return createHash("sha256").update(s).digest("hex");
}

/** The exact bytes `send()` writes for a JSON body. */
export function bodyBytes(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body), "utf8");
}

/** Keeps the listed properties (case-insensitive) plus OData annotations and `id`. */
export function select(obj: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return obj;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  const wanted = new Set(["id", ...fields.map((f) => f.toLowerCase())]);
  for (const k of keys) if (k.startsWith("@odata.") || wanted.has(k.toLowerCase())) out[k] = obj[k];
  return out;
}

/** HTML to a plain preview (Graph's bodyPreview: at most 255 characters). */
export function preview(body: unknown): string {
  const b = body as { content?: string; contentType?: string } | undefined;
  const text = (b?.content ?? "")
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<br\s*\/?>|<\/p>|<\/li>/gi, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/\s+/g, " ")
    .trim();
  return text.slice(0, 255);
}

// ---------- delta ----------

/** Items of one kind in one container (or all containers): changes by sequence, removals from tombs. */
export function itemCollection(
  store: PimStore,
  kind: ItemKindName,
  container: number | undefined,
): DeltaCollection {
  const inScope = (c: number) => container === undefined || c === container;
  return {
    entries(since, until, includeTombs) {
      const out: DeltaEntry[] = [];
      for (const i of store.items.values()) {
        if (i.kind !== kind || !inScope(i.container) || i.masterKey !== undefined) continue;
        if (i.changeSeq <= since || i.changeSeq > until) continue;
        out.push({ key: i.key, seq: i.changeSeq, sort: seqKey(i.changeSeq), created: false });
      }
      if (includeTombs) {
        for (const t of store.tombs) {
          if (t.kind !== kind || !inScope(t.container) || t.seq <= since || t.seq > until) continue;
          if (t.extra?.masterKey !== undefined) continue;
          out.push({ key: t.key, seq: t.seq, sort: seqKey(t.seq), tomb: { gen: t.gen }, created: false });
        }
      }
      return out;
    },
    valid(e, until) {
      const i = store.items.get(e.key);
      return i !== undefined && i.kind === kind && inScope(i.container) && i.changeSeq <= until;
    },
  };
}

/** Containers of one kind (contact folders: those under `parentKey`, recursively). */
export function containerCollection(
  store: PimStore,
  kind: ContainerKind,
  underKey?: number,
): DeltaCollection {
  const inScope = (key: number): boolean => {
    if (underKey === undefined) return true;
    let cur = store.containers.get(key);
    const seen = new Set<number>();
    while (cur && !seen.has(cur.key)) {
      seen.add(cur.key);
      if (cur.parentKey === underKey) return true;
      cur = store.containers.get(cur.parentKey);
    }
    return false;
  };
  return {
    entries(since, until, includeTombs) {
      const out: DeltaEntry[] = [];
      for (const c of store.containers.values()) {
        if (c.kind !== kind || c.key === underKey || !inScope(c.key)) continue;
        if (c.changeSeq <= since || c.changeSeq > until) continue;
        out.push({ key: c.key, seq: c.changeSeq, sort: seqKey(c.changeSeq), created: false });
      }
      if (includeTombs) {
        for (const t of store.tombs) {
          if (t.kind !== kind || t.seq <= since || t.seq > until) continue;
          out.push({ key: t.key, seq: t.seq, sort: seqKey(t.seq), tomb: { gen: 0 }, created: false });
        }
      }
      return out;
    },
    valid(e, until) {
      const c = store.containers.get(e.key);
      return c !== undefined && c.kind === kind && c.changeSeq <= until && inScope(c.key);
    },
  };
}

export function removed(type: string, id: string): Record<string, unknown> {
  return { "@odata.type": type, id, "@removed": { reason: "deleted" } };
}

const DELTA_DEFAULT_PAGE = 10;
const DELTA_MAX_PAGE = 1000;

/**
 * One delta page for a PIM resource, with the same chain/round/token rules as message delta:
 * `@odata.nextLink` (`$skiptoken`) within a round, `@odata.deltaLink` (`$deltatoken`) on its last
 * page, 410 SyncStateNotFound for superseded or unknown tokens, 410 SyncStateInvalid for a token of
 * another resource.
 */
export function deltaResponse(
  ctx: GraphCtx,
  mbx: Mailbox,
  r: {
    kind: string;
    scope: string;
    link: string;
    /** Options kept in the chain from the first request (e.g. `$select`, the calendarView window). */
    opts: Record<string, string>;
    collection: (opts: Record<string, string>) => DeltaCollection;
    render: (
      e: DeltaEntry,
      opts: Record<string, string>,
    ) => Record<string, unknown> | Record<string, unknown>[] | undefined;
    odataType: string;
  },
): SimResponse {
  const store = ctx.sim.tenant.chains;
  const hasToken = q(ctx, "deltatoken") !== undefined || q(ctx, "skiptoken") !== undefined;
  const { chain, parsed } = startOrResume(store, mbx, ctx, {
    kind: r.kind,
    scope: r.scope,
    opts: hasToken ? {} : r.opts,
    link: r.link,
  });
  const p = preferredPageSize(ctx, DELTA_DEFAULT_PAGE, DELTA_MAX_PAGE);
  const page = store.page(chain, parsed, r.collection(chain.opts), mbx.seq, p.size);
  const value: unknown[] = [];
  for (const e of page.entries) {
    const v = r.render(e, chain.opts);
    if (Array.isArray(v)) value.push(...v);
    else if (v) value.push(v);
  }
  ctx.sim.tenant.changed();
  return json(
    200,
    {
      "@odata.context": `${ctx.base}/$metadata#Collection(${r.odataType})`,
      ...deltaLinks(r.link, page),
      value,
    },
    p.applied ? { "Preference-Applied": `odata.maxpagesize=${p.size}` } : {},
  );
}

/** `$top`/`$skip` paging of a list, with nextLink. */
export function listPage(
  ctx: GraphCtx,
  all: Record<string, unknown>[],
  context: string,
  nextLink: (skip: number) => string,
  dflt = 10,
): SimResponse {
  const pref = preferredPageSize(ctx, dflt, 1000);
  const topRaw = q(ctx, "top");
  const top = topRaw !== undefined ? Number(topRaw) : pref.size;
  if (!Number.isInteger(top) || top < 0 || top > 1000)
    throw new GraphError(400, "BadRequest", `Invalid value '${topRaw}' for $top.`);
  const skip = Number(q(ctx, "skip") ?? 0) || 0;
  const body: Record<string, unknown> = { "@odata.context": context };
  if ((q(ctx, "count") ?? "") === "true") body["@odata.count"] = all.length;
  body.value = all.slice(skip, skip + top);
  if (skip + top < all.length) body["@odata.nextLink"] = nextLink(skip + top);
  return json(200, body);
}
