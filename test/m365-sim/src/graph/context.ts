import type { Claims } from "../entra/tokens";
import { GraphError, type SimRequest, type SimResponse } from "../http";
import type { Mailbox } from "../model/mailbox";
import type { UserRec } from "../model/tenant";
import type { Router } from "../router";
import type { Simulator } from "../sim";

/** What a Graph handler gets: the request, route params and the caller's identity. */
export interface GraphCtx {
  sim: Simulator;
  req: SimRequest;
  params: Record<string, string>;
  version: "v1.0" | "beta";
  /** Normalised path segments after the version (`me` replaced by `users/<oid>`). */
  segs: string[];
  claims: Claims;
  appId: string;
  /** Object id of the signed-in user for delegated tokens. */
  delegatedUserId?: string;
  prefer: Map<string, string>;
  /** `Prefer: IdType="ImmutableId"` was sent. */
  immutable: boolean;
  /** `https://host:port/v1.0` — absolute base for links. */
  base: string;
  /** True inside a `$batch`. */
  inBatch: boolean;
}

export type GraphHandler = (ctx: GraphCtx) => Promise<SimResponse> | SimResponse;
export type GraphRouter = Router<GraphHandler>;

export function q(ctx: GraphCtx, name: string): string | undefined {
  return ctx.req.query.get(name.toLowerCase());
}

export function userNotFound(id: string): GraphError {
  return new GraphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

/** The user of `:user` as a directory object. */
export function dirUser(ctx: GraphCtx, param = "user"): UserRec {
  const id = ctx.params[param] ?? "";
  const u = ctx.sim.tenant.userByIdOrUpn(id);
  if (!u) throw userNotFound(id);
  return u;
}

/** The mailbox of `:user`, with Exchange's errors for unknown users and users without a mailbox. */
export function mailboxOf(ctx: GraphCtx, param = "user"): { user: UserRec; mbx: Mailbox } {
  const id = ctx.params[param] ?? "";
  const u = ctx.sim.tenant.userByIdOrUpn(id);
  if (!u) throw new GraphError(404, "ErrorInvalidUser", `The requested user '${id}' is invalid.`);
  if (ctx.delegatedUserId && ctx.delegatedUserId !== u.id) {
    throw new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
  }
  const mbx = ctx.sim.tenant.mailboxOf(u);
  if (!mbx)
    throw new GraphError(
      404,
      "MailboxNotEnabledForRESTAPI",
      "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    );
  return { user: u, mbx };
}

/** `@odata.context` for a path, e.g. `…/$metadata#users('x')/mailFolders`. */
export function contextUrl(ctx: GraphCtx, fragment: string): string {
  return `${ctx.base}/$metadata#${fragment}`;
}

/** An absolute link to the current path with replaced query parameters (nextLink). */
export function selfLink(ctx: GraphCtx, params: Record<string, string | undefined>, keep = true): string {
  const out = new URLSearchParams();
  if (keep && ctx.req.rawQuery) {
    for (const part of ctx.req.rawQuery.split("&")) {
      if (!part) continue;
      const eq = part.indexOf("=");
      const rawKey = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, " "));
      const norm = rawKey.replace(/^\$/, "").toLowerCase();
      if (Object.keys(params).some((k) => k.replace(/^\$/, "").toLowerCase() === norm)) continue;
      out.append(rawKey, decodeURIComponent((eq < 0 ? "" : part.slice(eq + 1)).replace(/\+/g, " ")));
    }
  }
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out.append(k, v);
  const qs = out
    .toString()
    .replace(/%24/g, "$")
    .replace(/%2C/g, ",")
    .replace(/%2F/g, "/")
    .replace(/%3A/g, ":");
  const path = ctx.segs.map((s) => encodeURIComponent(s).replace(/%40/g, "@")).join("/");
  return `${ctx.base}/${path}${qs ? `?${qs}` : ""}`;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, json: body, headers };
}

export function noContent(): SimResponse {
  return { status: 204 };
}

export function preferredPageSize(
  ctx: GraphCtx,
  dflt: number,
  max: number,
): { size: number; applied: boolean } {
  const p = ctx.prefer.get("odata.maxpagesize");
  if (p === undefined) return { size: dflt, applied: false };
  const n = Number(p);
  if (!Number.isInteger(n) || n <= 0) return { size: dflt, applied: false };
  return { size: Math.min(n, max), applied: true };
}
