import { GraphError, notFound, type SimResponse } from "../http";
import type { Mailbox } from "../model/mailbox";
import { type ContainerRec, type PimItem, type PimStore, pimOf } from "../model/pim-store";
import {
  changeKey,
  containerCollection,
  contextUrl,
  deltaResponse,
  etag,
  itemCollection,
  listPage,
  type PimView,
  removed,
  select,
  viewOf,
} from "../model/pim-view";
import { parseSelect } from "../odata";
import { type GraphCtx, type GraphRouter, json, mailboxOf, q } from "./context";

/**
 * Contact folders and contacts. The store keeps the richest form (beta's typed phones, addresses,
 * websites and e-mail addresses); v1.0 shows what v1.0 has: business and home phone lists, ONE mobile
 * number, three fixed addresses, one business home page — so assistant, pager, radio, fax, other and a
 * second mobile number exist only in beta, as in Microsoft 365.
 */

type Json = Record<string, unknown>;

export interface Phone {
  type: string;
  number: string;
}
export interface PostalAddress {
  type: string;
  street?: string;
  city?: string;
  state?: string;
  countryOrRegion?: string;
  postalCode?: string;
}

const SCALARS = [
  "birthday",
  "fileAs",
  "displayName",
  "givenName",
  "initials",
  "middleName",
  "nickName",
  "surname",
  "title",
  "yomiGivenName",
  "yomiSurname",
  "yomiCompanyName",
  "generation",
  "jobTitle",
  "companyName",
  "department",
  "officeLocation",
  "profession",
  "assistantName",
  "manager",
  "spouseName",
  "personalNotes",
  "gender",
  "weddingAnniversary",
];

function addr(a: unknown, type: string): PostalAddress | undefined {
  if (!a || typeof a !== "object") return undefined;
  const o = a as Json;
  const out: PostalAddress = { type };
  for (const k of ["street", "city", "state", "countryOrRegion", "postalCode"] as const)
    if (typeof o[k] === "string" && o[k] !== "") out[k] = o[k] as string;
  return Object.keys(out).length > 1 ? out : undefined;
}

/**
 * Merges a create/PATCH body in either shape (v1.0 `businessPhones`/`mobilePhone`/`homeAddress`… or
 * beta `phones`/`postalAddresses`/`websites`) into the stored form.
 */
export function mergeContactProps(cur: Json, input: Json): Json {
  const out: Json = { ...cur };
  for (const k of SCALARS) if (k in input) out[k] = input[k] ?? null;
  for (const k of ["categories", "children", "imAddresses"])
    if (Array.isArray(input[k])) out[k] = [...(input[k] as unknown[])];
  if ("flag" in input) out.flag = input.flag;
  if (Array.isArray(input.emailAddresses))
    out.emailAddresses = (input.emailAddresses as Json[]).map((e) => ({
      type: (e.type as string | undefined) ?? "unknown",
      name: (e.name as string | undefined) ?? (e.address as string | undefined) ?? "",
      address: (e.address as string | undefined) ?? "",
    }));
  let phones = [...((out.phones as Phone[] | undefined) ?? [])];
  const setPhones = (type: string, list: unknown) => {
    if (!Array.isArray(list)) return;
    phones = [
      ...phones.filter((p) => p.type !== type),
      ...(list as string[]).filter(Boolean).map((number) => ({ type, number })),
    ];
  };
  setPhones("business", input.businessPhones);
  setPhones("home", input.homePhones);
  if ("mobilePhone" in input) {
    // v1.0 has one mobile number: a v1.0 write replaces the first mobile and keeps any further ones.
    const rest = phones.filter((p) => p.type === "mobile").slice(1);
    phones = phones.filter((p) => p.type !== "mobile");
    if (input.mobilePhone) phones.push({ type: "mobile", number: String(input.mobilePhone) });
    phones.push(...rest);
  }
  if (Array.isArray(input.phones))
    phones = (input.phones as Json[]).map((p) => ({
      type: String(p.type ?? "other"),
      number: String(p.number ?? ""),
    }));
  out.phones = phones;
  let postal = [...((out.postalAddresses as PostalAddress[] | undefined) ?? [])];
  for (const [field, type] of [
    ["homeAddress", "home"],
    ["businessAddress", "business"],
    ["otherAddress", "other"],
  ] as const) {
    if (!(field in input)) continue;
    postal = postal.filter((a) => a.type !== type);
    const a = addr(input[field], type);
    if (a) postal.push(a);
  }
  if (Array.isArray(input.postalAddresses))
    postal = (input.postalAddresses as Json[])
      .map((a) => addr(a, String(a.type ?? "other")))
      .filter((a): a is PostalAddress => !!a);
  out.postalAddresses = postal;
  let websites = [...((out.websites as Json[] | undefined) ?? [])];
  if ("businessHomePage" in input) {
    websites = websites.filter((w) => w.type !== "work");
    if (input.businessHomePage)
      websites.unshift({ type: "work", address: String(input.businessHomePage), displayName: "" });
  }
  if (Array.isArray(input.websites))
    websites = (input.websites as Json[]).map((w) => ({
      type: w.type ?? "other",
      address: w.address ?? "",
      displayName: w.displayName ?? "",
    }));
  out.websites = websites;
  return out;
}

const EMPTY_ADDRESS = {};

function v1Address(list: PostalAddress[], type: string): Json {
  const a = list.find((x) => x.type === type);
  if (!a) return EMPTY_ADDRESS;
  const { type: _t, ...rest } = a;
  return rest;
}

export function contactJson(v: PimView, store: PimStore, it: PimItem, odataType = false): Json {
  const p = it.props;
  const folder = store.containers.get(it.container);
  const phones = (p.phones as Phone[] | undefined) ?? [];
  const postal = (p.postalAddresses as PostalAddress[] | undefined) ?? [];
  const websites = (p.websites as Json[] | undefined) ?? [];
  const emails = (p.emailAddresses as Json[] | undefined) ?? [];
  const out: Json = {};
  if (odataType) out["@odata.type"] = "#microsoft.graph.contact";
  out["@odata.etag"] = etag(it.version, it.key);
  Object.assign(out, {
    id: store.itemId(it, v.format),
    createdDateTime: it.created,
    lastModifiedDateTime: it.modified,
    changeKey: changeKey(it.version, it.key),
    categories: p.categories ?? [],
    parentFolderId: folder ? store.containerId(folder) : null,
    birthday: p.birthday ?? null,
    fileAs: p.fileAs ?? "",
    displayName: p.displayName ?? "",
    givenName: p.givenName ?? null,
    initials: p.initials ?? null,
    middleName: p.middleName ?? null,
    nickName: p.nickName ?? null,
    surname: p.surname ?? null,
    title: p.title ?? null,
    yomiGivenName: p.yomiGivenName ?? null,
    yomiSurname: p.yomiSurname ?? null,
    yomiCompanyName: p.yomiCompanyName ?? null,
    generation: p.generation ?? null,
    imAddresses: p.imAddresses ?? [],
    jobTitle: p.jobTitle ?? null,
    companyName: p.companyName ?? null,
    department: p.department ?? null,
    officeLocation: p.officeLocation ?? null,
    profession: p.profession ?? null,
  });
  if (v.version === "beta") {
    Object.assign(out, {
      assistantName: p.assistantName ?? null,
      manager: p.manager ?? null,
      spouseName: p.spouseName ?? null,
      personalNotes: p.personalNotes ?? "",
      children: p.children ?? [],
      gender: p.gender ?? null,
      weddingAnniversary: p.weddingAnniversary ?? null,
      flag: p.flag ?? { flagStatus: "notFlagged" },
      emailAddresses: emails.map((e) => ({ type: e.type ?? "unknown", name: e.name, address: e.address })),
      websites,
      phones: phones.map((x) => ({ type: x.type, number: x.number })),
      postalAddresses: postal.map((a) => ({
        type: a.type,
        postOfficeBox: null,
        street: a.street ?? null,
        city: a.city ?? null,
        state: a.state ?? null,
        countryOrRegion: a.countryOrRegion ?? null,
        postalCode: a.postalCode ?? null,
      })),
    });
  } else {
    const mobile = phones.find((x) => x.type === "mobile");
    Object.assign(out, {
      businessHomePage: (websites.find((w) => w.type === "work")?.address as string | undefined) ?? null,
      assistantName: p.assistantName ?? null,
      manager: p.manager ?? null,
      homePhones: phones.filter((x) => x.type === "home").map((x) => x.number),
      mobilePhone: mobile?.number ?? null,
      businessPhones: phones.filter((x) => x.type === "business").map((x) => x.number),
      spouseName: p.spouseName ?? null,
      personalNotes: p.personalNotes ?? "",
      children: p.children ?? [],
      // v1.0 shows at most three addresses (Outlook's Email, Email 2, Email 3).
      emailAddresses: emails.slice(0, 3).map((e) => ({ name: e.name, address: e.address })),
      homeAddress: v1Address(postal, "home"),
      businessAddress: v1Address(postal, "business"),
      otherAddress: v1Address(postal, "other"),
    });
  }
  return out;
}

/** The canonical GET the worker archives: `GET /beta/users/{oid}/contacts/{id}`. */
export function contactGetBody(v: PimView, store: PimStore, it: PimItem): Json {
  return {
    "@odata.context": contextUrl(v, `users('${v.userId}')/contacts/$entity`),
    ...contactJson(v, store, it),
  };
}

export function contactFolderJson(
  v: PimView,
  store: PimStore,
  mbx: Mailbox,
  c: ContainerRec,
  odataType = false,
): Json {
  const parent = c.parentKey ? store.containers.get(c.parentKey) : undefined;
  const out: Json = {};
  if (odataType) out["@odata.type"] = "#microsoft.graph.contactFolder";
  out.id = store.containerId(c);
  out.displayName = c.displayName;
  out.parentFolderId = parent ? store.containerId(parent) : mbx.root.id;
  if (v.version === "beta") out.wellKnownName = c.wellKnown ?? null;
  return out;
}

// ---------------- routes ----------------

function ctxStore(ctx: GraphCtx) {
  const { user, mbx } = mailboxOf(ctx);
  return { mbx, store: pimOf(mbx), v: viewOf(ctx, user.id) };
}

function folderOr404(store: PimStore, id: string | undefined): ContainerRec {
  if (id === undefined) return store.defaultContainer("contactFolder");
  const c = store.findContainer("contactFolder", id);
  if (!c) throw notFound();
  return c;
}

function nextLinkOf(ctx: GraphCtx) {
  return (skip: number) => {
    const qs = new URLSearchParams();
    for (const [k, val] of ctx.req.query)
      if (k !== "skip") qs.set(/^(top|select|filter|orderby|count)$/.test(k) ? `$${k}` : k, val);
    qs.set("$skip", String(skip));
    return `${ctx.base}/${ctx.segs.join("/")}?${qs.toString().replace(/%24/g, "$").replace(/%2C/g, ",")}`;
  };
}

function listContacts(ctx: GraphCtx): SimResponse {
  const { store, v } = ctxStore(ctx);
  const f = folderOr404(store, ctx.params.folder);
  const fields = parseSelect(q(ctx, "select"));
  const all = store
    .itemsOf("contact", f.key)
    .sort((a, b) => a.key - b.key)
    .map((i) => select(contactJson(v, store, i), fields));
  return listPage(ctx, all, contextUrl(v, `users('${v.userId}')/contacts`), nextLinkOf(ctx));
}

function getContact(ctx: GraphCtx): SimResponse {
  const { store, v } = ctxStore(ctx);
  const f = ctx.params.folder !== undefined ? folderOr404(store, ctx.params.folder) : undefined;
  const it = store.findItem("contact", ctx.params.id ?? "");
  if (!it || (f && it.container !== f.key)) throw notFound();
  return json(200, {
    "@odata.context": contextUrl(v, `users('${v.userId}')/contacts/$entity`),
    ...select(contactJson(v, store, it), parseSelect(q(ctx, "select"))),
  });
}

function contactsDelta(ctx: GraphCtx): SimResponse {
  const { mbx, store, v } = ctxStore(ctx);
  const f = store.findContainer("contactFolder", ctx.params.folder ?? "contacts");
  const hasToken = q(ctx, "deltatoken") !== undefined || q(ctx, "skiptoken") !== undefined;
  if (!f) {
    if (hasToken)
      throw new GraphError(404, "ErrorSyncFolderNotFound", "The sync folder was not found (it was deleted).");
    throw notFound();
  }
  const opts: Record<string, string> = {};
  const sel = q(ctx, "select");
  if (sel) opts.select = sel;
  return deltaResponse(ctx, mbx, {
    kind: "contacts",
    scope: String(f.key),
    link: `${ctx.base}/users/${ctx.params.user}/contactFolders('${store.containerId(f)}')/contacts/delta`,
    opts,
    collection: () => itemCollection(store, "contact", f.key),
    render: (e, o) => {
      if (e.tomb)
        return removed(
          "#microsoft.graph.contact",
          store.itemId({ key: e.key, kind: "contact", gen: e.tomb.gen }, v.format),
        );
      const it = store.items.get(e.key);
      return it ? select(contactJson(v, store, it, true), parseSelect(o.select)) : undefined;
    },
    odataType: "contact",
  });
}

export function registerContacts(r: GraphRouter): void {
  r.add("GET", "users/:user/contactFolders", (ctx) => {
    const { store, v, mbx } = ctxStore(ctx);
    const def = store.defaultContainer("contactFolder");
    const fields = parseSelect(q(ctx, "select"));
    const all = [...store.containers.values()]
      .filter((c) => c.kind === "contactFolder" && c.parentKey === def.key)
      .sort((a, b) => a.displayName.localeCompare(b.displayName))
      .map((c) => select(contactFolderJson(v, store, mbx, c), fields));
    return listPage(ctx, all, contextUrl(v, `users('${v.userId}')/contactFolders`), nextLinkOf(ctx));
  });
  r.add("GET", "users/:user/contactFolders/delta", (ctx) => {
    const { mbx, store, v } = ctxStore(ctx);
    const def = store.defaultContainer("contactFolder");
    const opts: Record<string, string> = {};
    const sel = q(ctx, "select");
    if (sel) opts.select = sel;
    return deltaResponse(ctx, mbx, {
      kind: "contactFolders",
      scope: String(def.key),
      link: `${ctx.base}/users/${ctx.params.user}/contactFolders/delta`,
      opts,
      collection: () => containerCollection(store, "contactFolder", def.key),
      render: (e, o) => {
        if (e.tomb)
          return removed(
            "#microsoft.graph.contactFolder",
            store.containerId({ key: e.key, kind: "contactFolder" }),
          );
        const c = store.containers.get(e.key);
        return c ? select(contactFolderJson(v, store, mbx, c, true), parseSelect(o.select)) : undefined;
      },
      odataType: "contactFolder",
    });
  });
  r.add("GET", "users/:user/contactFolders/:folder", (ctx) => {
    const { store, v, mbx } = ctxStore(ctx);
    const f = folderOr404(store, ctx.params.folder);
    return json(200, {
      "@odata.context": contextUrl(v, `users('${v.userId}')/contactFolders/$entity`),
      ...select(contactFolderJson(v, store, mbx, f), parseSelect(q(ctx, "select"))),
    });
  });
  r.add("GET", "users/:user/contactFolders/:folder/childFolders", (ctx) => {
    const { store, v, mbx } = ctxStore(ctx);
    const f = folderOr404(store, ctx.params.folder);
    const all = [...store.containers.values()]
      .filter((c) => c.kind === "contactFolder" && c.parentKey === f.key && c.key !== f.key)
      .map((c) => select(contactFolderJson(v, store, mbx, c), parseSelect(q(ctx, "select"))));
    return listPage(
      ctx,
      all,
      contextUrl(v, `users('${v.userId}')/contactFolders('${store.containerId(f)}')/childFolders`),
      nextLinkOf(ctx),
    );
  });
  r.add("GET", "users/:user/contacts", listContacts);
  r.add("GET", "users/:user/contactFolders/:folder/contacts", listContacts);
  r.add("GET", "users/:user/contacts/delta", contactsDelta);
  r.add("GET", "users/:user/contactFolders/:folder/contacts/delta", contactsDelta);
  r.add("GET", "users/:user/contacts/:id", getContact);
  r.add("GET", "users/:user/contactFolders/:folder/contacts/:id", getContact);
}
