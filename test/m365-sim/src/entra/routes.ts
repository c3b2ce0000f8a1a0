import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { SimRequest, SimResponse } from "../http";
import {
  type AppReg,
  DEMO_PASSWORD,
  EXCHANGE_RESOURCE,
  GRAPH_APP_ID,
  GRAPH_RESOURCE,
  type UserRec,
} from "../model/tenant";
import type { Simulator } from "../sim";
import { loginPage, messagePage } from "./pages";
import { type Claims, nowSec, opaqueId } from "./tokens";

/**
 * Entra ID v2 endpoints with Entra's paths, claims and error format: OIDC discovery, JWKS, the
 * authorize page (authorization code + PKCE), the token endpoint (client_credentials,
 * authorization_code, refresh_token; client_secret_post and client_secret_basic), logout, userinfo.
 */

interface AuthCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  challenge?: string;
  method?: string;
  userId: string;
  expires: number;
  authTime: number;
}

const RESOURCE_ALIASES: Record<string, string> = {
  [GRAPH_RESOURCE]: GRAPH_RESOURCE,
  "https://graph.microsoft.com/": GRAPH_RESOURCE,
  [GRAPH_APP_ID]: GRAPH_RESOURCE,
  [EXCHANGE_RESOURCE]: EXCHANGE_RESOURCE,
  "https://outlook.office365.com/": EXCHANGE_RESOURCE,
  "https://outlook.office.com": EXCHANGE_RESOURCE,
  "00000002-0000-0ff1-ce00-000000000000": EXCHANGE_RESOURCE,
};

/**
 * The audience for a resource identifier. The simulator's own origin is accepted too: it hosts Graph
 * (and the Exchange admin API) there, so a client that derives its scope from the Graph base URL
 * (`https://127.0.0.1:<port>/.default`) gets a token, with that origin as its audience.
 */
function resourceOf(sim: Simulator, resource: string): string | undefined {
  const r = resource.replace(/\/$/, "").toLowerCase();
  const known = RESOURCE_ALIASES[r];
  if (known) return known;
  const own = new URL(sim.url);
  const alt = `https://localhost:${own.port}`;
  if (r === sim.url.toLowerCase() || r === alt) return sim.url;
  return undefined;
}

const OIDC_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

function codes(sim: Simulator): Map<string, AuthCode> {
  let m = sim.runtime.get("entra.codes") as Map<string, AuthCode> | undefined;
  if (!m) {
    m = new Map();
    sim.runtime.set("entra.codes", m);
  }
  return m;
}

function sessions(sim: Simulator): Map<string, { userId: string; authTime: number }> {
  let m = sim.runtime.get("entra.sessions") as Map<string, { userId: string; authTime: number }> | undefined;
  if (!m) {
    m = new Map();
    sim.runtime.set("entra.sessions", m);
  }
  return m;
}

function traceFields(): Record<string, unknown> {
  return {
    timestamp: new Date()
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z"),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  };
}

/** Entra's token-endpoint error: `{error, error_description: "AADSTSnnn: …", error_codes: [n], …}`. */
function oauthError(status: number, error: string, code: number, description: string): SimResponse {
  return {
    status,
    headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
    json: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      ...traceFields(),
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function tenantOk(sim: Simulator, t: string | undefined): boolean {
  const lower = (t ?? "").toLowerCase();
  return lower === sim.tenant.tenantId || lower === sim.tenant.domain.toLowerCase();
}

function tenantNotFound(t: string | undefined): SimResponse {
  return oauthError(
    400,
    "invalid_request",
    90002,
    `Tenant '${t ?? ""}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

export function discovery(sim: Simulator): Record<string, unknown> {
  const base = `${sim.url}/${sim.tenant.tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: sim.issuer,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${sim.url}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${base}/kerberos`,
    code_challenge_methods_supported: ["plain", "S256"],
    tenant_region_scope: "EU",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: new URL(sim.url).host,
    rbac_url: "https://pas.windows.net",
  };
}

function formParams(req: SimRequest): URLSearchParams {
  const ct = req.headers["content-type"] ?? "";
  if (req.method === "POST" && /application\/x-www-form-urlencoded/i.test(ct))
    return new URLSearchParams(req.body.toString("utf8"));
  if (req.method === "POST" && req.body.length > 0 && !ct)
    return new URLSearchParams(req.body.toString("utf8"));
  return new URLSearchParams();
}

function queryParams(req: SimRequest): URLSearchParams {
  return new URLSearchParams(req.rawQuery);
}

function appByClientId(sim: Simulator, clientId: string | null | undefined): AppReg | undefined {
  const { worker, portal } = sim.tenant.apps;
  if (!clientId) return undefined;
  return [worker, portal].find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Client authentication by HTTP Basic or form post, as Entra accepts both. */
function clientAuth(sim: Simulator, req: SimRequest, form: URLSearchParams): AppReg | SimResponse {
  let id = form.get("client_id");
  let secret = form.get("client_secret");
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) {
      const bid = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
      const bsecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
      if (id && id !== bid)
        return oauthError(
          400,
          "invalid_request",
          50148,
          "The client_id in the request body does not match the client id in the authorization header.",
        );
      id = bid;
      secret = bsecret;
    }
  }
  const app = appByClientId(sim, id);
  if (!app) {
    return oauthError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${id ?? ""}' was not found in the directory '${sim.tenant.domain}'.`,
    );
  }
  if (form.get("client_assertion"))
    return oauthError(
      401,
      "invalid_client",
      700027,
      "Client assertion failed signature validation (the simulator supports client secrets only).",
    );
  if (!secret)
    return oauthError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  if (!safeEqual(secret, app.clientSecret))
    return oauthError(
      401,
      "invalid_client",
      7000215,
      "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" +
        app.clientId +
        "'.",
    );
  return app;
}

function pairwiseSub(oid: string, clientId: string): string {
  return createHash("sha256").update(`${oid}:${clientId}`).digest("base64url").slice(0, 43);
}

function splitScopes(scope: string | null): string[] {
  return (scope ?? "").split(/\s+/).filter(Boolean);
}

/** The resource (audience) and scope names of a delegated scope list. */
function delegatedResource(sim: Simulator, scopes: string[]): { aud: string; scp: string[] } {
  let aud = GRAPH_RESOURCE;
  const scp: string[] = [];
  for (const s of scopes) {
    if (OIDC_SCOPES.has(s.toLowerCase())) continue;
    const m = /^(https?:\/\/[^/]+|[0-9a-f-]{36})\/(.+)$/i.exec(s);
    if (m) {
      aud = resourceOf(sim, m[1] as string) ?? (m[1] as string);
      if (m[2] !== ".default") scp.push(m[2] as string);
    } else scp.push(s);
  }
  if (scp.length === 0) scp.push("User.Read");
  return { aud, scp };
}

export function issueAppToken(sim: Simulator, app: AppReg, aud: string): string {
  const now = nowSec();
  const claims: Claims = {
    aud,
    iss: sim.issuer,
    iat: now,
    nbf: now,
    exp: now + sim.tokenLifetime,
    aio: opaqueId(12),
    app_displayname: app.displayName,
    appid: app.clientId,
    azp: app.clientId,
    appidacr: "1",
    idp: sim.issuer,
    idtyp: "app",
    oid: app.servicePrincipalId,
    rh: opaqueId(8),
    roles: aud === sim.url ? Object.values(app.roles).flat() : (app.roles[aud] ?? []),
    sub: app.servicePrincipalId,
    tenant_region_scope: "EU",
    tid: sim.tenant.tenantId,
    uti: opaqueId(12),
    ver: "2.0",
  };
  return sim.signer.sign(claims);
}

function userTokens(
  sim: Simulator,
  app: AppReg,
  user: UserRec,
  scopes: string[],
  nonce: string | undefined,
  authTime: number,
): Record<string, unknown> {
  const now = nowSec();
  const { aud, scp } = delegatedResource(sim, scopes);
  const access = sim.signer.sign({
    aud,
    iss: sim.issuer,
    iat: now,
    nbf: now,
    exp: now + sim.tokenLifetime,
    aio: opaqueId(12),
    app_displayname: app.displayName,
    appid: app.clientId,
    azp: app.clientId,
    appidacr: "1",
    family_name: user.surname ?? undefined,
    given_name: user.givenName ?? undefined,
    idtyp: "user",
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: opaqueId(8),
    scp: scp.join(" "),
    sub: pairwiseSub(user.id, app.clientId),
    tid: sim.tenant.tenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: opaqueId(12),
    ver: "2.0",
  });
  const out: Record<string, unknown> = {
    token_type: "Bearer",
    scope: [...scp, ...scopes.filter((s) => OIDC_SCOPES.has(s.toLowerCase()))].join(" "),
    expires_in: sim.tokenLifetime,
    ext_expires_in: sim.tokenLifetime,
    access_token: access,
  };
  const lower = scopes.map((s) => s.toLowerCase());
  if (lower.includes("offline_access")) {
    out.refresh_token = sim.signer.sign({
      typ: "refresh",
      aud: app.clientId,
      iss: sim.issuer,
      tid: sim.tenant.tenantId,
      oid: user.id,
      scope: scopes.join(" "),
      auth_time: authTime,
      iat: now,
      exp: now + 90 * 24 * 3600,
      jti: opaqueId(12),
    });
  }
  if (lower.includes("openid")) {
    const idClaims: Claims = {
      typ: undefined,
      aud: app.clientId,
      iss: sim.issuer,
      iat: now,
      nbf: now,
      exp: now + 3600,
      aio: opaqueId(12),
      auth_time: authTime,
      name: user.displayName,
      oid: user.id,
      preferred_username: user.userPrincipalName,
      rh: opaqueId(8),
      sub: pairwiseSub(user.id, app.clientId),
      tid: sim.tenant.tenantId,
      uti: opaqueId(12),
      ver: "2.0",
    };
    if (user.mail) idClaims.email = user.mail;
    if (nonce) idClaims.nonce = nonce;
    // Like an app registration with app roles and groupMembershipClaims "SecurityGroup": the portal's
    // id token carries the user's app roles and the ids of the security groups it is (transitively) in.
    if (app.kind === "portal") {
      if (user.appRoles?.length) idClaims.roles = [...user.appRoles];
      const groups = securityGroupsOf(sim, user.id);
      if (groups.length) idClaims.groups = groups;
    }
    delete idClaims.typ;
    out.id_token = sim.signer.sign(idClaims);
  }
  return out;
}

/** Ids of the security-enabled groups that contain the user directly or through nested groups. */
function securityGroupsOf(sim: Simulator, userId: string): string[] {
  const groups = [...sim.tenant.groups.values()];
  const containing = new Set(groups.filter((g) => g.memberIds.includes(userId)).map((g) => g.id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const g of groups) {
      if (!containing.has(g.id) && g.memberIds.some((m) => containing.has(m))) {
        containing.add(g.id);
        changed = true;
      }
    }
  }
  return groups.filter((g) => g.securityEnabled && containing.has(g.id)).map((g) => g.id);
}

/** Redirect URIs the simulator's app registrations accept: any loopback http(s) URI. */
export function redirectAllowed(uri: string | null): boolean {
  if (!uri) return false;
  try {
    const u = new URL(uri);
    return (
      (u.protocol === "http:" || u.protocol === "https:") &&
      (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]")
    );
  } catch {
    return false;
  }
}

const AUTHORIZE_KEYS = [
  "client_id",
  "redirect_uri",
  "response_type",
  "response_mode",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
  "prompt",
  "login_hint",
];

function cookieName(sim: Simulator): string {
  return `ESTSSIM_${sim.tenant.tenantId.slice(0, 8)}`;
}

function readCookie(req: SimRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

function finishAuthorize(
  sim: Simulator,
  p: URLSearchParams,
  user: UserRec,
  authTime: number,
  extraHeaders: Record<string, string> = {},
): SimResponse {
  const code = opaqueId(48);
  const rec: AuthCode = {
    clientId: p.get("client_id") ?? "",
    redirectUri: p.get("redirect_uri") ?? "",
    scope: p.get("scope") ?? "openid",
    userId: user.id,
    expires: Date.now() + 10 * 60 * 1000,
    authTime,
  };
  const nonce = p.get("nonce");
  if (nonce) rec.nonce = nonce;
  const ch = p.get("code_challenge");
  if (ch) {
    rec.challenge = ch;
    rec.method = p.get("code_challenge_method") ?? "plain";
  }
  codes(sim).set(code, rec);
  const result: Record<string, string> = { code };
  const state = p.get("state");
  if (state !== null) result.state = state;
  result.session_state = randomUUID();
  return redirectWith(p, result, extraHeaders);
}

function redirectWith(
  p: URLSearchParams,
  result: Record<string, string>,
  extraHeaders: Record<string, string> = {},
): SimResponse {
  const redirect = p.get("redirect_uri") ?? "";
  const mode = p.get("response_mode") ?? "query";
  if (mode === "form_post") {
    const inputs = Object.entries(result)
      .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
      .join("");
    return {
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8", ...extraHeaders },
      body: `<!doctype html><html lang="en"><head><title>Working...</title></head><body onload="document.forms[0].submit()"><form method="POST" action="${esc(redirect)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`,
    };
  }
  const qs = new URLSearchParams(result).toString();
  const location =
    mode === "fragment" ? `${redirect}#${qs}` : `${redirect}${redirect.includes("?") ? "&" : "?"}${qs}`;
  return { status: 302, headers: { Location: location, ...extraHeaders } };
}

function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

function html(status: number, body: string, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers },
    body,
  };
}

export function registerEntra(sim: Simulator): void {
  const r = sim.entra;

  r.add("GET", ":tenant/v2.0/.well-known/openid-configuration", (s, _req, params) => {
    if (!tenantOk(s, params.tenant)) return tenantNotFound(params.tenant);
    return { status: 200, json: discovery(s) };
  });

  r.add("GET", ":tenant/discovery/v2.0/keys", (s, _req, params) => {
    if (!tenantOk(s, params.tenant)) return tenantNotFound(params.tenant);
    const jwks = s.signer.jwks();
    for (const k of jwks.keys as Array<Record<string, unknown>>) k.issuer = s.issuer;
    return { status: 200, json: jwks };
  });

  const authorize = (s: Simulator, req: SimRequest, params: Record<string, string>): SimResponse => {
    if (!tenantOk(s, params.tenant))
      return html(
        400,
        messagePage("Sign in", `AADSTS90002: Tenant '${esc(params.tenant ?? "")}' not found.`),
      );
    const form = formParams(req);
    const query = queryParams(req);
    const p = new URLSearchParams();
    for (const k of AUTHORIZE_KEYS) {
      const v = form.get(k) ?? query.get(k);
      if (v !== null) p.set(k, v);
    }
    const app = appByClientId(s, p.get("client_id"));
    if (!app)
      return html(
        400,
        messagePage(
          "Sign in",
          `AADSTS700016: Application with identifier '${esc(p.get("client_id") ?? "")}' was not found in the directory.`,
        ),
      );
    if (!redirectAllowed(p.get("redirect_uri"))) {
      return html(
        400,
        messagePage(
          "Sign in",
          `AADSTS50011: The redirect URI '${esc(p.get("redirect_uri") ?? "")}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`,
        ),
      );
    }
    if (!(p.get("response_type") ?? "").split(" ").includes("code")) {
      return redirectWith(p, {
        error: "unsupported_response_type",
        error_description: "AADSTS700054: response_type 'id_token' is not enabled for the application.",
        ...(p.get("state") ? { state: p.get("state") as string } : {}),
      });
    }
    const ch = p.get("code_challenge_method");
    if (ch && ch !== "S256" && ch !== "plain") {
      return redirectWith(p, {
        error: "invalid_request",
        error_description: "AADSTS501491: Invalid code_challenge_method.",
        ...(p.get("state") ? { state: p.get("state") as string } : {}),
      });
    }
    const prompt = p.get("prompt") ?? "";
    const isSubmit = req.method === "POST" && form.has("login");
    if (isSubmit) {
      const login = (form.get("login") ?? "").trim();
      const password = form.get("passwd") ?? "";
      const user = s.tenant.userByIdOrUpn(login);
      const pwOk = user !== undefined && password === (user.password ?? DEMO_PASSWORD);
      if (!user || !pwOk)
        return html(
          200,
          loginPage(
            s,
            p,
            login,
            "Your account or password is incorrect. If you don't remember your password, reset it now.",
          ),
        );
      if (!user.accountEnabled)
        return html(
          200,
          loginPage(
            s,
            p,
            login,
            "Your account has been locked. Contact your support person to unlock it, then try again. (AADSTS50057: The user account is disabled.)",
          ),
        );
      const sid = opaqueId(24);
      const authTime = nowSec();
      sessions(s).set(sid, { userId: user.id, authTime });
      const cookie = `${cookieName(s)}=${sid}; Path=/; HttpOnly; Secure; SameSite=None`;
      return finishAuthorize(s, p, user, authTime, { "Set-Cookie": cookie });
    }
    // Single sign-on: an existing session signs in silently unless the app asks for a prompt.
    const sid = readCookie(req, cookieName(s));
    const session = sid ? sessions(s).get(sid) : undefined;
    const sessUser = session ? s.tenant.users.get(session.userId) : undefined;
    if (sessUser?.accountEnabled && session && prompt !== "login" && prompt !== "select_account") {
      return finishAuthorize(s, p, sessUser, session.authTime);
    }
    if (prompt === "none") {
      return redirectWith(p, {
        error: "login_required",
        error_description: "AADSTS50058: A silent sign-in request was sent but no user is signed in.",
        ...(p.get("state") ? { state: p.get("state") as string } : {}),
      });
    }
    return html(200, loginPage(s, p, p.get("login_hint") ?? "", undefined));
  };
  r.add("GET", ":tenant/oauth2/v2.0/authorize", authorize);
  r.add("POST", ":tenant/oauth2/v2.0/authorize", authorize);

  r.add("POST", ":tenant/oauth2/v2.0/token", (s, req, params) => {
    if (!tenantOk(s, params.tenant)) return tenantNotFound(params.tenant);
    const form = formParams(req);
    const grant = form.get("grant_type");
    const authed = clientAuth(s, req, form);
    if ("status" in authed) return authed;
    const app = authed;
    if (grant === "client_credentials") {
      const scopes = splitScopes(form.get("scope"));
      const scope = scopes[0] ?? "";
      const m = /^(.*)\/\.default$/.exec(scope);
      if (scopes.length !== 1 || !m) {
        return oauthError(
          400,
          "invalid_scope",
          1002012,
          `The provided value for scope ${scopes.join(" ")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
        );
      }
      const aud = resourceOf(s, m[1] as string);
      if (!aud)
        return oauthError(
          400,
          "invalid_resource",
          500011,
          `The resource principal named ${m[1]} was not found in the tenant named ${s.tenant.domain}.`,
        );
      return {
        status: 200,
        headers: { "Cache-Control": "no-store", Pragma: "no-cache" },
        json: {
          token_type: "Bearer",
          expires_in: s.tokenLifetime,
          ext_expires_in: s.tokenLifetime,
          access_token: issueAppToken(s, app, aud),
        },
      };
    }
    if (grant === "authorization_code") {
      const code = form.get("code") ?? "";
      const rec = codes(s).get(code);
      if (!rec || rec.expires < Date.now()) {
        codes(s).delete(code);
        return oauthError(
          400,
          "invalid_grant",
          70008,
          "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        );
      }
      codes(s).delete(code);
      if (rec.clientId.toLowerCase() !== app.clientId.toLowerCase())
        return oauthError(400, "invalid_grant", 70002, "The code was issued to a different client.");
      if ((form.get("redirect_uri") ?? "") !== rec.redirectUri)
        return oauthError(
          400,
          "invalid_grant",
          50011,
          "The redirect URI in the token request does not match the one used to obtain the authorization code.",
        );
      const verifier = form.get("code_verifier");
      if (rec.challenge) {
        if (!verifier)
          return oauthError(
            400,
            "invalid_request",
            50148,
            "The code_verifier is missing (the authorization request had a code_challenge).",
          );
        const expected =
          rec.method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
        if (expected !== rec.challenge)
          return oauthError(
            400,
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
          );
      } else if (verifier) {
        return oauthError(
          400,
          "invalid_grant",
          50148,
          "A code_verifier was sent but the authorization request had no code_challenge.",
        );
      }
      const user = s.tenant.users.get(rec.userId);
      if (!user?.accountEnabled)
        return oauthError(400, "invalid_grant", 50057, "The user account is disabled.");
      return {
        status: 200,
        headers: { "Cache-Control": "no-store" },
        json: userTokens(s, app, user, splitScopes(rec.scope), rec.nonce, rec.authTime),
      };
    }
    if (grant === "refresh_token") {
      const rt = form.get("refresh_token") ?? "";
      const claims = s.signer.verify(rt);
      if (
        typeof claims === "string" ||
        claims.typ !== "refresh" ||
        claims.tid !== s.tenant.tenantId ||
        typeof claims.exp !== "number" ||
        claims.exp < nowSec()
      ) {
        return oauthError(
          400,
          "invalid_grant",
          9002313,
          "Invalid request. Request is malformed or invalid (refresh token).",
        );
      }
      if (String(claims.aud).toLowerCase() !== app.clientId.toLowerCase())
        return oauthError(400, "invalid_grant", 70000, "The refresh token was issued to a different client.");
      const user = s.tenant.users.get(String(claims.oid));
      if (!user?.accountEnabled)
        return oauthError(400, "invalid_grant", 50057, "The user account is disabled or no longer exists.");
      const requested = splitScopes(form.get("scope"));
      const scopes =
        requested.length > 0
          ? [...new Set([...requested, "offline_access"])]
          : splitScopes(String(claims.scope));
      return {
        status: 200,
        headers: { "Cache-Control": "no-store" },
        json: userTokens(s, app, user, scopes, undefined, Number(claims.auth_time ?? nowSec())),
      };
    }
    return oauthError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grant ?? ""}'.`,
    );
  });

  const logout = (s: Simulator, req: SimRequest, params: Record<string, string>): SimResponse => {
    if (!tenantOk(s, params.tenant)) return html(400, messagePage("Sign out", "Tenant not found."));
    const sid = readCookie(req, cookieName(s));
    if (sid) sessions(s).delete(sid);
    const p = req.method === "POST" ? formParams(req) : queryParams(req);
    const clear = { "Set-Cookie": `${cookieName(s)}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=None` };
    const back = p.get("post_logout_redirect_uri");
    if (back && redirectAllowed(back)) {
      const state = p.get("state");
      const location = state
        ? `${back}${back.includes("?") ? "&" : "?"}state=${encodeURIComponent(state)}`
        : back;
      return { status: 302, headers: { Location: location, ...clear } };
    }
    return html(
      200,
      messagePage(
        "Sign out",
        "You signed out of your account. It's a good idea to close all browser windows.",
      ),
      clear,
    );
  };
  r.add("GET", ":tenant/oauth2/v2.0/logout", logout);
  r.add("POST", ":tenant/oauth2/v2.0/logout", logout);

  const userinfo = (s: Simulator, req: SimRequest): SimResponse => {
    let claims: Claims;
    try {
      claims = s.authenticate(req, s.graphAudiences());
    } catch {
      return {
        status: 401,
        headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' },
        json: { error: { code: "InvalidAuthenticationToken", message: "Access token validation failure." } },
      };
    }
    const user = typeof claims.scp === "string" ? s.tenant.users.get(String(claims.oid)) : undefined;
    if (!user)
      return {
        status: 401,
        json: {
          error: {
            code: "InvalidAuthenticationToken",
            message: "The userinfo endpoint requires a delegated (user) token.",
          },
        },
      };
    const out: Record<string, unknown> = {
      sub: pairwiseSub(user.id, String(claims.appid)),
      name: user.displayName,
      family_name: user.surname ?? undefined,
      given_name: user.givenName ?? undefined,
      picture: `${s.url}/v1.0/me/photo/$value`,
    };
    if (user.mail) out.email = user.mail;
    return { status: 200, json: out };
  };
  sim.plain.add("GET", "oidc/userinfo", (s, req) => userinfo(s, req));
  sim.plain.add("POST", "oidc/userinfo", (s, req) => userinfo(s, req));
}
