import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import type { SigningMaterial } from "./ca";
import type { Claims } from "./entra/tokens";
import { TokenSigner } from "./entra/tokens";
import type { GraphCtx, GraphHandler } from "./graph/context";
import {
  errorResponse,
  GraphError,
  newRequestId,
  parsePrefer,
  parseQuery,
  type SimRequest,
  type SimResponse,
} from "./http";
import { FaultInjector, type Faults, Stats, Throttle } from "./limits";
import { EXCHANGE_RESOURCE, GRAPH_APP_ID, GRAPH_RESOURCE, type Tenant } from "./model/tenant";
import { Router, splitGraphPath } from "./router";

/** The running simulator: tenant state plus the HTTP pipeline for Graph, Entra and the control API. */

export type PlainHandler = (
  sim: Simulator,
  req: SimRequest,
  params: Record<string, string>,
  raw: IncomingMessage,
) => Promise<SimResponse> | SimResponse;

/** Path segments (after `users/{id}/`) served by Exchange Online, hence subject to the Outlook limits. */
const OUTLOOK_SEGMENTS = new Set([
  "messages",
  "mailfolders",
  "mailboxsettings",
  "events",
  "calendar",
  "calendars",
  "calendarview",
  "calendargroups",
  "contacts",
  "contactfolders",
  "todo",
  "notes",
  "sendmail",
  "translateexchangeids",
  "inferenceclassification",
  "outlook",
]);

const MAX_BODY = 250 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface PipelineResult {
  res: SimResponse;
  release?: () => void;
  mailbox?: string;
}

export class Simulator {
  readonly signer: TokenSigner;
  readonly throttle: Throttle;
  readonly faults: FaultInjector;
  readonly stats = new Stats();
  readonly graph = new Router<GraphHandler>();
  readonly entra = new Router<PlainHandler>();
  readonly control = new Router<PlainHandler>();
  readonly plain = new Router<PlainHandler>();
  url = "";
  /** Simulator-wide token lifetime (seconds); the control API can shorten it to test refreshes. */
  tokenLifetime = 3599;
  /** Extension point: per-feature runtime state (auth codes, sessions, upload sessions, …). */
  readonly runtime = new Map<string, unknown>();
  readonly initialThrottle: boolean;

  constructor(
    public tenant: Tenant,
    signing: SigningMaterial,
    throttle: boolean,
  ) {
    this.signer = new TokenSigner(signing);
    this.throttle = new Throttle(throttle);
    this.faults = new FaultInjector(throttle);
    this.initialThrottle = throttle;
  }

  get issuer(): string {
    return `${this.url}/${this.tenant.tenantId}/v2.0`;
  }

  setFaults(f: Faults): void {
    this.faults.set(f);
    this.throttle.enabled = f.throttle;
    this.throttle.setLimits(f.limits ?? {});
    this.tenant.chains.expireAll = f.expireDeltaTokens;
    this.tenant.chains.replay = () => this.faults.chance(f.deltaReplayRate);
  }

  // ---------------- HTTP entry ----------------

  async handleHttp(raw: IncomingMessage, out: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    let body: Buffer = EMPTY;
    try {
      // Most Graph requests are bodiless GETs: no listeners and no extra turn of the event loop for them
      if (raw.headers["content-length"] !== undefined || raw.headers["transfer-encoding"] !== undefined)
        body = await readBody(raw);
    } catch (err) {
      if ((err as Error).message === "too large") {
        send(out, {
          status: 413,
          json: { error: { code: "RequestEntityTooLarge", message: "The request is too large." } },
        });
        return;
      }
      out.destroy();
      return;
    }
    const url = raw.url ?? "/";
    const qi = url.indexOf("?");
    const path = qi < 0 ? url : url.slice(0, qi);
    const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
    const req: SimRequest = {
      method: (raw.method ?? "GET").toUpperCase(),
      path,
      query: parseQuery(rawQuery),
      rawQuery,
      headers: raw.headers as Record<string, string | undefined>,
      body,
      requestId,
      clientRequestId: raw.headers["client-request-id"] as string | undefined,
    };
    let result: PipelineResult;
    try {
      result = await this.route(req, raw);
    } catch (err) {
      result = { res: this.toErrorResponse(err, req) };
    }
    if (result.res.status === -1) {
      // resetRate fault: drop the connection without a response
      raw.socket.destroy();
      result.release?.();
      return;
    }
    const bytesOut = await send(out, result.res, req, () => result.release?.());
    if (result.mailbox) this.stats.of(result.mailbox).bytesOut += bytesOut;
    this.stats.total.bytesOut += bytesOut;
  }

  toErrorResponse(err: unknown, req: SimRequest): SimResponse {
    if (err instanceof GraphError) return errorResponse(err, req);
    console.error("m365-sim: handler failed", err);
    return errorResponse(
      new GraphError(500, "InternalServerError", (err as Error).message ?? "internal error"),
      req,
    );
  }

  private async route(req: SimRequest, raw: IncomingMessage): Promise<PipelineResult> {
    const segs = splitGraphPath(req.path);
    const first = (segs[0] ?? "").toLowerCase();
    if (first === "_sim") {
      if (!isLoopback(raw.socket.remoteAddress)) {
        return {
          res: {
            status: 403,
            json: { error: { code: "Forbidden", message: "The control API answers loopback clients only." } },
          },
        };
      }
      return { res: await this.dispatchPlain(this.control, req, segs.slice(1), raw) };
    }
    if (first === "v1.0" || first === "beta") return this.graphPipeline(req, first, segs.slice(1), false);
    if (segs.length === 0)
      return {
        res: {
          status: 200,
          json: {
            service: "coffer-m365-sim",
            tenantId: this.tenant.tenantId,
            graph: `${this.url}/v1.0`,
            authority: `${this.url}/${this.tenant.tenantId}`,
          },
        },
      };
    const plainMatch = this.plain.match(req.method, segs);
    if (plainMatch && plainMatch !== "method") {
      const r = await plainMatch.handler(this, req, plainMatch.params, raw);
      return { res: r };
    }
    return { res: await this.dispatchPlain(this.entra, req, segs, raw) };
  }

  private async dispatchPlain(
    router: Router<PlainHandler>,
    req: SimRequest,
    segs: string[],
    raw: IncomingMessage,
  ): Promise<SimResponse> {
    const m = router.match(req.method, segs);
    if (m === "method")
      return errorResponse(
        new GraphError(
          405,
          "Request_BadRequest",
          `The HTTP method '${req.method}' is not allowed for this resource.`,
        ),
        req,
      );
    if (!m)
      return errorResponse(new GraphError(404, "NotFound", `No route for ${req.method} ${req.path}`), req);
    return m.handler(this, req, m.params, raw);
  }

  // ---------------- Graph ----------------

  /** Audiences Graph accepts: Graph's resource URI and app id, and the simulator's own origin. */
  graphAudiences(): string[] {
    return [GRAPH_RESOURCE, GRAPH_APP_ID, this.url];
  }

  exchangeAudiences(): string[] {
    return [EXCHANGE_RESOURCE, "00000002-0000-0ff1-ce00-000000000000", this.url];
  }

  /** Validates a bearer token for `resource`; returns claims or throws 401. */
  authenticate(req: SimRequest, resources: string[]): Claims {
    const h = req.headers.authorization;
    const unauthorized = (message: string) =>
      new GraphError(401, "InvalidAuthenticationToken", message, {
        "WWW-Authenticate": `Bearer realm="", authorization_uri="${this.url}/${this.tenant.tenantId}/oauth2/authorize", client_id="${GRAPH_APP_ID}"`,
      });
    if (!h) throw unauthorized("Access token is empty.");
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) throw unauthorized("Access token is empty.");
    const claims = this.signer.verify(m[1] as string);
    if (typeof claims === "string") throw unauthorized(claims);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== "number" || claims.exp < now - 300)
      throw unauthorized("Lifetime validation failed, the token is expired.");
    if (claims.tid !== this.tenant.tenantId)
      throw unauthorized("Access token validation failure. Invalid issuer or signature.");
    if (!resources.includes(String(claims.aud)))
      throw unauthorized("Access token validation failure. Invalid audience.");
    if (claims.typ === "refresh" || claims.typ === "id")
      throw unauthorized("Access token validation failure.");
    return claims;
  }

  /** Which mailbox (user object id) a Graph path addresses, for throttling and stats. */
  mailboxKeyOf(segs: string[]): string | undefined {
    if ((segs[0] ?? "").toLowerCase() !== "users" || segs.length < 3) return undefined;
    if (!OUTLOOK_SEGMENTS.has((segs[2] ?? "").toLowerCase())) return undefined;
    const u = this.tenant.userByIdOrUpn(segs[1] ?? "");
    return u?.hasMailbox ? u.id : undefined;
  }

  /**
   * The Graph pipeline: connection faults → authentication → status faults → Outlook throttling →
   * latency → handler. `$batch`
   * sub-requests come through here too (with `inBatch`), so each one is throttled on its own.
   */
  async graphPipeline(
    req: SimRequest,
    version: string,
    segsIn: string[],
    inBatch: boolean,
    preClaims?: Claims,
    heldSlot?: boolean,
  ): Promise<PipelineResult> {
    const faults = this.faults;
    const faultPath = `/${segsIn.join("/")}`;
    if (!inBatch) {
      const conn = faults.decideConnection(faultPath);
      if (conn?.kind === "reset") return { res: { status: -1 } };
    }
    const claims = preClaims ?? this.authenticate(req, this.graphAudiences());
    let segs = segsIn;
    const delegatedUserId = typeof claims.scp === "string" ? String(claims.oid) : undefined;
    if ((segs[0] ?? "").toLowerCase() === "me") {
      if (!delegatedUserId)
        throw new GraphError(
          400,
          "BadRequest",
          "/me request is only valid with delegated authentication flow.",
        );
      segs = ["users", delegatedUserId, ...segs.slice(1)];
    }
    const appId = String(claims.appid ?? claims.azp ?? "");
    const mailbox = this.mailboxKeyOf(segs);
    const st = mailbox ? this.stats.of(mailbox) : undefined;
    this.stats.total.requests++;
    this.stats.total.bytesIn += req.body.length;
    if (st) {
      st.requests++;
      st.bytesIn += req.body.length;
    }
    const status = faults.decideStatus(faultPath);
    if (status?.kind === "status") {
      if (status.status === 429) {
        this.stats.total.throttled++;
        if (st) st.throttled++;
      }
      return { res: this.faultResponse(status.status, req), mailbox };
    }
    let release: (() => void) | undefined;
    if (mailbox && st) {
      if (!heldSlot) {
        const uploadBytes = req.method === "GET" || req.method === "DELETE" ? 0 : req.body.length;
        const adm = this.throttle.admit(appId, mailbox, uploadBytes);
        if ("status" in adm) {
          st.throttled++;
          this.stats.total.throttled++;
          return {
            res: errorResponse(
              new GraphError(429, adm.code, adm.message, { "Retry-After": String(adm.retryAfter) }),
              req,
            ),
            mailbox,
          };
        }
        release = adm.release;
        st.maxConcurrency = Math.max(st.maxConcurrency, adm.concurrency);
        this.stats.total.maxConcurrency = Math.max(this.stats.total.maxConcurrency, adm.concurrency);
      }
    }
    try {
      // Latency is served while holding the concurrency slot, like a slow backend would.
      if (!inBatch && faults.faults.latencyMs > 0 && faults.applies(faultPath))
        await sleep(faults.faults.latencyMs);
      const match = this.graph.match(req.method, segs);
      if (match === "method")
        throw new GraphError(
          405,
          "Request_BadRequest",
          `The HTTP method '${req.method}' is not allowed for this resource.`,
        );
      if (!match)
        throw new GraphError(
          400,
          "BadRequest",
          `Resource not found for the segment '${segs[segs.length - 1] ?? ""}'.`,
        );
      const prefer = parsePrefer(req.headers.prefer);
      const ctx: GraphCtx = {
        sim: this,
        req,
        params: match.params,
        version: version === "beta" ? "beta" : "v1.0",
        segs,
        claims,
        appId,
        prefer,
        immutable: (prefer.get("idtype") ?? "").toLowerCase() === "immutableid",
        base: `${this.url}/${version}`,
        inBatch,
      };
      if (delegatedUserId) ctx.delegatedUserId = delegatedUserId;
      const res = await match.handler(ctx);
      if (ctx.immutable && res.status < 300)
        res.headers = {
          ...res.headers,
          "Preference-Applied": appendPref(res.headers?.["Preference-Applied"], 'IdType="ImmutableId"'),
        };
      const out: PipelineResult = { res, mailbox };
      if (release) out.release = release;
      return out;
    } catch (err) {
      release?.();
      return { res: this.toErrorResponse(err, req), mailbox };
    }
  }

  faultResponse(status: 429 | 503 | 504, req: SimRequest): SimResponse {
    const retry = String(this.faults.faults.retryAfterSeconds);
    if (status === 503) {
      // Graph's processing timeouts come back as 503 with an empty body (Corso: ErrServiceUnavailableEmptyResp)
      return { status: 503, headers: { "Retry-After": retry }, body: Buffer.alloc(0) };
    }
    if (status === 504)
      return errorResponse(
        new GraphError(
          504,
          "GatewayTimeout",
          "The gateway did not receive a timely response from the upstream server.",
        ),
        req,
      );
    return errorResponse(
      new GraphError(429, "TooManyRequests", "Please retry again later.", { "Retry-After": retry }, {}),
      req,
    );
  }
}

function appendPref(cur: string | undefined, v: string): string {
  return cur ? `${cur}, ${v}` : v;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  if (addr === "::1" || addr.startsWith("127.") || addr === "::ffff:127.0.0.1") return true;
  if (isIP(addr) === 6 && addr.startsWith("::ffff:127.")) return true;
  return false;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > MAX_BODY) {
        reject(new Error("too large"));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

const JSON_TYPE =
  "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

/** Writes a SimResponse; resolves with the number of body bytes sent. `done` runs when the body is finished. */
export function send(
  out: ServerResponse,
  res: SimResponse,
  req?: SimRequest,
  done?: () => void,
): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (n: number) => {
      if (finished) return;
      finished = true;
      done?.();
      resolve(n);
    };
    const headers: Record<string, string | number> = { ...res.headers };
    if (req) {
      headers["request-id"] = req.requestId;
      headers["client-request-id"] = req.clientRequestId ?? req.requestId;
    }
    if (res.stream) {
      if (res.stream.length !== undefined) headers["Content-Length"] = res.stream.length;
      headers["Content-Type"] ??= "application/octet-stream";
      out.writeHead(res.status, headers);
      const s: Readable = res.stream.open();
      let n = 0;
      s.on("data", (c: Buffer) => {
        n += c.length;
      });
      s.on("error", () => {
        out.destroy();
        finish(n);
      });
      out.on("close", () => finish(n));
      out.on("finish", () => finish(n));
      s.pipe(out);
      return;
    }
    let body: Buffer;
    if (res.json !== undefined) {
      body = Buffer.from(JSON.stringify(res.json), "utf8");
      headers["Content-Type"] ??= JSON_TYPE;
    } else if (res.body !== undefined) {
      body = typeof res.body === "string" ? Buffer.from(res.body, "utf8") : res.body;
    } else body = Buffer.alloc(0);
    if (res.status !== 204 && res.status !== 304) headers["Content-Length"] = body.length;
    out.writeHead(res.status, headers);
    out.end(body, () => finish(body.length));
    out.on("close", () => finish(body.length));
  });
}

export { Readable };
