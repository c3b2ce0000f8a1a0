import { badRequest, GraphError } from "../http";
import { E3_SKU, type UserRec } from "../model/tenant";
import {
  advancedQueryReason,
  applySelect,
  type Expr,
  evaluate,
  parseFilter,
  parseSelect,
  parseTop,
} from "../odata";
import {
  contextUrl,
  dirUser,
  type GraphCtx,
  type GraphRouter,
  json,
  mailboxOf,
  q,
  selfLink,
} from "./context";

/** Directory users and mailboxSettings. */

const DEFAULT_USER_PROPS = [
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "id",
];

export function userJson(u: UserRec): Record<string, unknown> {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: "en-US",
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled,
    assignedLicenses: u.licensed ? [{ disabledPlans: [], skuId: E3_SKU }] : [],
    assignedPlans: [],
    createdDateTime: u.createdDateTime,
    department: u.department,
    mailNickname: u.userPrincipalName.split("@")[0],
    otherMails: [],
    proxyAddresses: u.mail ? [`SMTP:${u.mail}`] : [],
    userType: "Member",
    usageLocation: "DE",
    onPremisesSyncEnabled: null,
  };
}

function shapeUser(u: UserRec, select: string[] | undefined): Record<string, unknown> {
  const full = userJson(u);
  return applySelect(full, select ?? DEFAULT_USER_PROPS);
}

/** Enforces Entra's advanced-query rules (ConsistencyLevel: eventual + $count=true). */
export function checkAdvanced(ctx: GraphCtx, filter: Expr | undefined, resource: string): { count: boolean } {
  const eventual = (ctx.req.headers.consistencylevel ?? "").toLowerCase() === "eventual";
  const count = (q(ctx, "count") ?? "").toLowerCase() === "true";
  const search = q(ctx, "search");
  const reason = filter ? advancedQueryReason(filter) : undefined;
  if (reason) {
    if (!eventual) {
      throw new GraphError(
        400,
        "Request_UnsupportedQuery",
        `${reason} is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
      );
    }
    if (!count) {
      throw new GraphError(
        400,
        "Request_UnsupportedQuery",
        `${reason} is not supported because the required '$count' parameter is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
      );
    }
  }
  if (search !== undefined && !eventual) {
    throw new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'`,
    );
  }
  if (count && !eventual) {
    throw new GraphError(
      400,
      "Request_BadRequest",
      `$count is not currently supported on ${resource} without the 'ConsistencyLevel: eventual' header.`,
    );
  }
  return { count };
}

/** `$search="displayName:foo"` (tokens AND-ed; each `prop:text` is a prefix match on words). */
export function searchMatcher(
  raw: string | undefined,
): ((o: Record<string, unknown>) => boolean) | undefined {
  if (!raw) return undefined;
  const terms = [...raw.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  if (terms.length === 0)
    throw badRequest(
      'Invalid $search: terms must be quoted, e.g. $search="displayName:alex".',
      "Request_UnsupportedQuery",
    );
  return (o) =>
    terms.every((t) => {
      const colon = t.indexOf(":");
      const prop = colon > 0 ? t.slice(0, colon) : "displayName";
      const text = (colon > 0 ? t.slice(colon + 1) : t).toLowerCase();
      const v = String(o[prop] ?? "").toLowerCase();
      return v.split(/[\s.@_-]+/).some((w) => w.startsWith(text)) || v.startsWith(text);
    });
}

export function encodeSkip(offset: number): string {
  return Buffer.from(`RFNwdAIA:${offset}`).toString("base64url");
}

export function decodeSkip(token: string | undefined): number {
  if (!token) return 0;
  const s = Buffer.from(token, "base64url").toString("utf8");
  const m = /^RFNwdAIA:(\d+)$/.exec(s);
  if (!m)
    throw new GraphError(
      400,
      "Directory_ExpiredPageToken",
      "The specified page token value has expired and can no longer be included in your request.",
    );
  return Number(m[1]);
}

export function orderBy<T extends Record<string, unknown>>(items: T[], raw: string | undefined): T[] {
  if (!raw) return items;
  const [prop, dir] = raw.trim().split(/\s+/);
  const desc = (dir ?? "").toLowerCase() === "desc";
  return [...items].sort((a, b) => {
    const x = String(a[prop as string] ?? "").toLowerCase();
    const y = String(b[prop as string] ?? "").toLowerCase();
    return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
  });
}

export function registerUsers(r: GraphRouter): void {
  r.add("GET", "users", (ctx) => {
    const select = parseSelect(q(ctx, "select"));
    const filterRaw = q(ctx, "filter");
    const filter = filterRaw ? parseFilter(filterRaw) : undefined;
    const { count } = checkAdvanced(ctx, filter, "users");
    const top = parseTop(q(ctx, "top"), 999) ?? 100;
    const search = searchMatcher(q(ctx, "search"));
    let all = [...ctx.sim.tenant.users.values()].map(userJson);
    if (filter) all = all.filter((u) => evaluate(filter, u));
    if (search) all = all.filter(search);
    all = orderBy(all, q(ctx, "orderby"));
    const offset = decodeSkip(q(ctx, "skiptoken"));
    const page = all.slice(offset, offset + top);
    const body: Record<string, unknown> = {
      "@odata.context": contextUrl(ctx, select ? `users(${select.join(",")})` : "users"),
    };
    if (count) body["@odata.count"] = all.length;
    if (offset + top < all.length)
      body["@odata.nextLink"] = selfLink(ctx, { $skiptoken: encodeSkip(offset + top) });
    body.value = page.map((u) => applySelect(u, select ?? DEFAULT_USER_PROPS));
    return json(200, body);
  });

  r.add("GET", "users/$count", (ctx) => {
    if ((ctx.req.headers.consistencylevel ?? "").toLowerCase() !== "eventual") {
      throw new GraphError(
        400,
        "Request_BadRequest",
        "Count is not currently supported without the 'ConsistencyLevel: eventual' header.",
      );
    }
    return {
      status: 200,
      headers: { "Content-Type": "text/plain" },
      body: String(ctx.sim.tenant.users.size),
    };
  });

  r.add("GET", "users/:user", (ctx) => {
    const u = dirUser(ctx);
    const select = parseSelect(q(ctx, "select"));
    return json(200, { "@odata.context": contextUrl(ctx, "users/$entity"), ...shapeUser(u, select) });
  });

  r.add("GET", "users/:user/mailboxSettings", (ctx) => {
    const { user } = mailboxOf(ctx);
    const settings = mailboxSettingsJson(user);
    const select = parseSelect(q(ctx, "select"));
    return json(200, {
      "@odata.context": contextUrl(ctx, `users('${user.id}')/mailboxSettings`),
      ...applySelect(settings, select, []),
    });
  });

  r.add("GET", "users/:user/mailboxSettings/:prop", (ctx) => {
    const { user } = mailboxOf(ctx);
    const settings = mailboxSettingsJson(user);
    const key = Object.keys(settings).find((k) => k.toLowerCase() === (ctx.params.prop ?? "").toLowerCase());
    if (!key)
      throw badRequest(
        `Could not find a property named '${ctx.params.prop}' on type 'microsoft.graph.mailboxSettings'.`,
      );
    const v = settings[key];
    const ctxUrl = contextUrl(ctx, `users('${user.id}')/mailboxSettings/${key}`);
    return json(
      200,
      v !== null && typeof v === "object"
        ? { "@odata.context": ctxUrl, ...(v as Record<string, unknown>) }
        : { "@odata.context": ctxUrl, value: v },
    );
  });
}

export function mailboxSettingsJson(u: UserRec): Record<string, unknown> {
  return {
    archiveFolder: null,
    timeZone: "W. Europe Standard Time",
    delegateMeetingMessageDeliveryOptions: "sendToDelegateOnly",
    dateFormat: "yyyy-MM-dd",
    timeFormat: "HH:mm",
    userPurpose: u.userPurpose,
    automaticRepliesSetting: {
      status: "disabled",
      externalAudience: "all",
      internalReplyMessage: "",
      externalReplyMessage: "",
      scheduledStartDateTime: { dateTime: "2026-01-01T00:00:00.0000000", timeZone: "UTC" },
      scheduledEndDateTime: { dateTime: "2026-01-02T00:00:00.0000000", timeZone: "UTC" },
    },
    language: { locale: "en-US", displayName: "English (United States)" },
    workingHours: {
      daysOfWeek: ["monday", "tuesday", "wednesday", "thursday", "friday"],
      startTime: "08:00:00.0000000",
      endTime: "17:00:00.0000000",
      timeZone: { name: "W. Europe Standard Time" },
    },
  };
}
