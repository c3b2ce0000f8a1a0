import { GraphError } from "../http";
import type { GroupRec, Tenant, UserRec } from "../model/tenant";
import { applySelect, evaluate, parseFilter, parseSelect, parseTop } from "../odata";
import { contextUrl, type GraphCtx, type GraphRouter, json, q, selfLink } from "./context";
import { checkAdvanced, decodeSkip, encodeSkip, orderBy, searchMatcher, userJson } from "./users";

/** Groups (the four kinds of reference C.1), members and transitive members with type casts. */

const DEFAULT_GROUP_PROPS = [
  "id",
  "deletedDateTime",
  "classification",
  "createdDateTime",
  "description",
  "displayName",
  "groupTypes",
  "mail",
  "mailEnabled",
  "mailNickname",
  "onPremisesSyncEnabled",
  "proxyAddresses",
  "securityEnabled",
  "visibility",
  "onPremisesDistinguishedName",
];

export function groupJson(g: GroupRec): Record<string, unknown> {
  return {
    id: g.id,
    deletedDateTime: null,
    classification: null,
    createdDateTime: g.createdDateTime,
    description: g.description,
    displayName: g.displayName,
    groupTypes: g.groupTypes,
    mail: g.mail,
    mailEnabled: g.mailEnabled,
    mailNickname: g.mailNickname,
    onPremisesDistinguishedName: g.onPremisesDistinguishedName,
    onPremisesSyncEnabled: g.onPremisesSyncEnabled,
    proxyAddresses: g.proxyAddresses,
    securityEnabled: g.securityEnabled,
    visibility: g.groupTypes.includes("Unified") ? "Private" : null,
  };
}

function groupNotFound(id: string): GraphError {
  return new GraphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

type Member = { type: "user"; u: UserRec } | { type: "group"; g: GroupRec };

function directMembers(t: Tenant, g: GroupRec): Member[] {
  const out: Member[] = [];
  for (const id of g.memberIds) {
    const u = t.users.get(id);
    if (u) out.push({ type: "user", u });
    const sub = t.groups.get(id);
    if (sub) out.push({ type: "group", g: sub });
  }
  return out;
}

/** Members of nested groups flattened, each object once (groups included, as Graph does). */
export function transitiveMembers(t: Tenant, g: GroupRec): Member[] {
  const seen = new Set<string>([g.id]);
  const out: Member[] = [];
  const walk = (x: GroupRec) => {
    for (const m of directMembers(t, x)) {
      const id = m.type === "user" ? m.u.id : m.g.id;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(m);
      if (m.type === "group") walk(m.g);
    }
  };
  walk(g);
  return out;
}

function memberJson(m: Member): Record<string, unknown> {
  if (m.type === "user") return { "@odata.type": "#microsoft.graph.user", ...userJson(m.u) };
  return { "@odata.type": "#microsoft.graph.group", ...groupJson(m.g) };
}

function listMembers(ctx: GraphCtx, members: Member[], cast: string | undefined, ctxPath: string) {
  let list = members;
  if (cast) {
    const c = cast.toLowerCase();
    if (c === "microsoft.graph.user") list = list.filter((m) => m.type === "user");
    else if (c === "microsoft.graph.group") list = list.filter((m) => m.type === "group");
    else if (c === "microsoft.graph.orgcontact" || c === "microsoft.graph.device") list = [];
    else throw new GraphError(400, "Request_BadRequest", `Type cast '${cast}' is not supported.`);
  }
  const select = parseSelect(q(ctx, "select"));
  const filterRaw = q(ctx, "filter");
  const filter = filterRaw ? parseFilter(filterRaw) : undefined;
  const { count } = checkAdvanced(ctx, filter, "directoryObjects");
  if (filter && !count) {
    throw new GraphError(
      400,
      "Request_UnsupportedQuery",
      "Filtering members requires the 'ConsistencyLevel: eventual' header and '$count=true'.",
    );
  }
  let views = list.map(memberJson);
  if (filter) views = views.filter((v) => evaluate(filter, v));
  const top = parseTop(q(ctx, "top"), 999) ?? 100;
  const offset = decodeSkip(q(ctx, "skiptoken"));
  const page = views.slice(offset, offset + top);
  const body: Record<string, unknown> = { "@odata.context": contextUrl(ctx, ctxPath) };
  if (count) body["@odata.count"] = views.length;
  if (offset + top < views.length)
    body["@odata.nextLink"] = selfLink(ctx, { $skiptoken: encodeSkip(offset + top) });
  body.value = page.map((v) => (select ? applySelect(v, select) : v));
  return json(200, body);
}

function groupOf(ctx: GraphCtx): GroupRec {
  const g =
    ctx.sim.tenant.groups.get((ctx.params.group ?? "").toLowerCase()) ??
    ctx.sim.tenant.groups.get(ctx.params.group ?? "");
  if (!g) throw groupNotFound(ctx.params.group ?? "");
  return g;
}

export function registerGroups(r: GraphRouter): void {
  r.add("GET", "groups", (ctx) => {
    const select = parseSelect(q(ctx, "select"));
    const filterRaw = q(ctx, "filter");
    const filter = filterRaw ? parseFilter(filterRaw) : undefined;
    const { count } = checkAdvanced(ctx, filter, "groups");
    const top = parseTop(q(ctx, "top"), 999) ?? 100;
    const search = searchMatcher(q(ctx, "search"));
    let all = [...ctx.sim.tenant.groups.values()].map(groupJson);
    if (filter) all = all.filter((g) => evaluate(filter, g));
    if (search) all = all.filter(search);
    all = orderBy(all, q(ctx, "orderby"));
    const offset = decodeSkip(q(ctx, "skiptoken"));
    const body: Record<string, unknown> = {
      "@odata.context": contextUrl(ctx, select ? `groups(${select.join(",")})` : "groups"),
    };
    if (count) body["@odata.count"] = all.length;
    if (offset + top < all.length)
      body["@odata.nextLink"] = selfLink(ctx, { $skiptoken: encodeSkip(offset + top) });
    body.value = all.slice(offset, offset + top).map((g) => applySelect(g, select ?? DEFAULT_GROUP_PROPS));
    return json(200, body);
  });
  r.add("GET", "groups/:group", (ctx) => {
    const g = groupOf(ctx);
    return json(200, {
      "@odata.context": contextUrl(ctx, "groups/$entity"),
      ...applySelect(groupJson(g), parseSelect(q(ctx, "select")) ?? DEFAULT_GROUP_PROPS),
    });
  });
  for (const kind of ["members", "transitiveMembers"] as const) {
    const all = (ctx: GraphCtx) => {
      const g = groupOf(ctx);
      return kind === "members" ? directMembers(ctx.sim.tenant, g) : transitiveMembers(ctx.sim.tenant, g);
    };
    r.add("GET", `groups/:group/${kind}`, (ctx) => listMembers(ctx, all(ctx), undefined, "directoryObjects"));
    r.add("GET", `groups/:group/${kind}/:cast`, (ctx) =>
      listMembers(ctx, all(ctx), ctx.params.cast, `${ctx.params.cast?.replace(/^microsoft\.graph\./i, "")}s`),
    );
  }
  r.add("GET", "users/:user/memberOf", (ctx) => {
    const u = ctx.sim.tenant.userByIdOrUpn(ctx.params.user ?? "");
    if (!u) throw groupNotFound(ctx.params.user ?? "");
    const groups = [...ctx.sim.tenant.groups.values()].filter((g) => g.memberIds.includes(u.id));
    return listMembers(
      ctx,
      groups.map((g) => ({ type: "group", g })),
      undefined,
      "directoryObjects",
    );
  });
}
