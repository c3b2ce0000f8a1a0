import { type AuthenticationResult, ConfidentialClientApplication, CryptoProvider } from "@azure/msal-node";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../src/model/tenant";
import { appToken, graphClient, msalNetwork, raw, startTestSim, type TestSim, workerMsal } from "./helpers";

const REDIRECT = "http://localhost:3000/api/auth/callback/microsoft-entra-id";
let t: TestSim;
let other: TestSim;
const upn = "adele.vance@contoso.example";

beforeAll(async () => {
  t = await startTestSim();
  other = await startTestSim();
  await t.ctl.createUser({
    userPrincipalName: upn,
    displayName: "Adele Vance",
    givenName: "Adele",
    surname: "Vance",
  });
  await t.ctl.createUser({
    userPrincipalName: "gone@contoso.example",
    displayName: "Gone",
    accountEnabled: false,
  });
});
afterAll(async () => {
  await t.close();
  await other.close();
});

function portalMsal(): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: t.h.portalClientId,
      clientSecret: t.h.portalClientSecret,
      authority: t.h.authority,
      knownAuthorities: [new URL(t.h.url).host],
    },
    system: { networkClient: msalNetwork(t) },
  });
}

/** Plays the browser: opens the authorize URL, submits the sign-in form, returns the redirect. */
async function signIn(
  authorizeUrl: string,
  login: string,
  password: string,
  cookie?: string,
): Promise<{ status: number; location: string | null; html: string; cookie: string | null }> {
  const page = await t.fetch(authorizeUrl, { redirect: "manual", headers: cookie ? { cookie } : {} });
  if (page.status === 302)
    return { status: 302, location: page.headers.get("location"), html: "", cookie: null };
  const html = await page.text();
  expect(page.status).toBe(200);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      m[1] as string,
      (m[2] as string)
        .replace(/&amp;/g, "&")
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">"),
    );
  }
  form.set("login", login);
  form.set("passwd", password);
  const res = await t.fetch(authorizeUrl.split("?")[0] as string, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  return {
    status: res.status,
    location: res.headers.get("location"),
    html: res.status === 200 ? await res.text() : "",
    cookie: res.headers.get("set-cookie"),
  };
}

describe("discovery and keys", () => {
  it("serves a concrete issuer, userinfo and Entra's endpoint layout", async () => {
    const r = await raw(t, "GET", `/${t.h.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.json.issuer).toBe(`${t.h.authority}/v2.0`);
    expect(r.json.token_endpoint).toBe(`${t.h.authority}/oauth2/v2.0/token`);
    expect(r.json.authorization_endpoint).toBe(`${t.h.authority}/oauth2/v2.0/authorize`);
    expect(r.json.jwks_uri).toBe(`${t.h.authority}/discovery/v2.0/keys`);
    expect(r.json.end_session_endpoint).toBe(`${t.h.authority}/oauth2/v2.0/logout`);
    expect(typeof r.json.userinfo_endpoint).toBe("string");
    expect(r.json.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(["client_secret_post", "client_secret_basic"]),
    );
    expect(r.json.id_token_signing_alg_values_supported).toEqual(["RS256"]);
  });

  it("answers an unknown tenant with AADSTS90002", async () => {
    const r = await raw(
      t,
      "GET",
      "/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
    );
    expect(r.status).toBe(400);
    expect(String(r.json.error_description)).toMatch(/^AADSTS90002/);
  });
});

describe("client credentials", () => {
  it("issues RS256 app tokens through MSAL with Entra's claims, verifiable with the JWKS", async () => {
    const msal = workerMsal(t);
    const res = await msal.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(res?.accessToken).toBeTruthy();
    const jwks = (await raw(t, "GET", `/${t.h.tenantId}/discovery/v2.0/keys`))
      .json as unknown as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(
      res?.accessToken as string,
      createLocalJWKSet(jwks),
      { issuer: `${t.h.authority}/v2.0`, audience: "https://graph.microsoft.com" },
    );
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload.tid).toBe(t.h.tenantId);
    expect(payload.appid).toBe(t.h.clientId);
    expect(payload.ver).toBe("2.0");
    expect(payload.roles).toEqual(expect.arrayContaining(["Mail.ReadWrite", "User.Read.All"]));
    // a second call is served from MSAL's cache
    const again = await msal.acquireTokenByClientCredential({
      scopes: ["https://graph.microsoft.com/.default"],
    });
    expect(again?.fromCache).toBe(true);
  });

  it("accepts client_secret_basic", async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(t.h.clientId)}:${encodeURIComponent(t.h.clientSecret)}`,
    ).toString("base64");
    const r = await raw(t, "POST", `/${t.h.tenantId}/oauth2/v2.0/token`, {
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
    });
    expect(r.status).toBe(200);
    expect(r.json.token_type).toBe("Bearer");
    expect(r.json.expires_in).toBe(3599);
  });

  it("rejects a wrong secret with invalid_client / AADSTS7000215, which MSAL surfaces", async () => {
    await expect(
      workerMsal(t, "wrong").acquireTokenByClientCredential({
        scopes: ["https://graph.microsoft.com/.default"],
      }),
    ).rejects.toMatchObject({ errorCode: "invalid_client" });
    const r = await raw(t, "POST", `/${t.h.tenantId}/oauth2/v2.0/token`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: t.h.clientId,
        client_secret: "nope",
        grant_type: "client_credentials",
        scope: "https://graph.microsoft.com/.default",
      }).toString(),
    });
    expect(r.status).toBe(401);
    expect(r.json.error).toBe("invalid_client");
    expect(r.json.error_codes).toEqual([7000215]);
  });

  it("requires a /.default scope", async () => {
    const r = await raw(t, "POST", `/${t.h.tenantId}/oauth2/v2.0/token`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: t.h.clientId,
        client_secret: t.h.clientSecret,
        grant_type: "client_credentials",
        scope: "User.Read",
      }).toString(),
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe("invalid_scope");
  });
});

describe("Graph rejects bad tokens", () => {
  it("answers a missing token with 401 InvalidAuthenticationToken", async () => {
    const r = await raw(t, "GET", "/v1.0/users");
    expect(r.status).toBe(401);
    expect(r.json.error?.code).toBe("InvalidAuthenticationToken");
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("rejects garbage and tokens of another tenant", async () => {
    expect((await raw(t, "GET", "/v1.0/users", { token: "not.a.jwt" })).json.error?.code).toBe(
      "InvalidAuthenticationToken",
    );
    const foreign = await appToken(other);
    const r = await raw(t, "GET", "/v1.0/users", { token: foreign });
    expect(r.status).toBe(401);
  });

  it("surfaces as GraphError 401 in the Graph SDK", async () => {
    const client = graphClient(t, "garbage");
    const err = await client
      .api("/users")
      .get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).statusCode).toBe(401);
    expect((err as GraphError).code).toBe("InvalidAuthenticationToken");
  });
});

describe("authorization code with PKCE (portal app)", () => {
  let result: AuthenticationResult;
  let cookie: string | null = null;
  const nonce = "n-0S6_WzA2Mj";

  it("signs a user in through the HTML form and redeems the code with MSAL", async () => {
    const msal = portalMsal();
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await msal.getAuthCodeUrl({
      scopes: ["User.Read", "offline_access"],
      redirectUri: REDIRECT,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
      state: "state-123",
      nonce,
    });
    const signed = await signIn(url, upn, DEMO_PASSWORD);
    expect(signed.status).toBe(302);
    cookie = signed.cookie;
    const loc = new URL(signed.location as string);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get("state")).toBe("state-123");
    const code = loc.searchParams.get("code") as string;
    result = await msal.acquireTokenByCode({
      code,
      redirectUri: REDIRECT,
      scopes: ["User.Read", "offline_access"],
      codeVerifier: pkce.verifier,
      nonce,
    });
    const claims = result.idTokenClaims as Record<string, unknown>;
    expect(claims.preferred_username).toBe(upn);
    expect(claims.name).toBe("Adele Vance");
    expect(claims.tid).toBe(t.h.tenantId);
    expect(claims.ver).toBe("2.0");
    expect(claims.nonce).toBe(nonce);
    expect(claims.iss).toBe(`${t.h.authority}/v2.0`);
    expect(claims.aud).toBe(t.h.portalClientId);
    const users = await t.ctl.users();
    expect(claims.oid).toBe(users.find((u) => u.userPrincipalName === upn)?.id);
    // the id token verifies against the JWKS with the discovered issuer
    const jwks = (await raw(t, "GET", `/${t.h.tenantId}/discovery/v2.0/keys`))
      .json as unknown as JSONWebKeySet;
    await jwtVerify(result.idToken, createLocalJWKSet(jwks), {
      issuer: `${t.h.authority}/v2.0`,
      audience: t.h.portalClientId,
    });
  });

  it("gives the delegated token /me and its own mailbox, not others'", async () => {
    const me = await raw(t, "GET", "/v1.0/me", { token: result.accessToken });
    expect(me.status).toBe(200);
    expect(me.json.userPrincipalName).toBe(upn);
    expect((await raw(t, "GET", "/v1.0/me/mailFolders/inbox", { token: result.accessToken })).status).toBe(
      200,
    );
    await t.ctl.createUser({ userPrincipalName: "someone@contoso.example", displayName: "Someone" });
    const otherBox = await raw(t, "GET", "/v1.0/users/someone@contoso.example/messages", {
      token: result.accessToken,
    });
    expect(otherBox.status).toBe(403);
    expect(otherBox.json.error?.code).toBe("ErrorAccessDenied");
    const app = await appToken(t);
    expect((await raw(t, "GET", "/v1.0/me", { token: app })).status).toBe(400);
  });

  it("answers userinfo with the id token's subject", async () => {
    const r = await raw(t, "GET", "/oidc/userinfo", { token: result.accessToken });
    expect(r.status).toBe(200);
    expect(r.json.sub).toBe((result.idTokenClaims as Record<string, unknown>).sub);
    expect(r.json.email).toBe(upn);
  });

  it("refreshes with the refresh token (MSAL silent flow with forceRefresh)", async () => {
    const msal = portalMsal();
    // a fresh MSAL instance has no cache: redeem a new code, then force a refresh
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await msal.getAuthCodeUrl({
      scopes: ["User.Read", "offline_access"],
      redirectUri: REDIRECT,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
    });
    // the SSO cookie signs in without the form
    const signed = await signIn(url, upn, DEMO_PASSWORD, cookie?.split(";")[0]);
    expect(signed.status).toBe(302);
    const code = new URL(signed.location as string).searchParams.get("code") as string;
    const first = await msal.acquireTokenByCode({
      code,
      redirectUri: REDIRECT,
      scopes: ["User.Read", "offline_access"],
      codeVerifier: pkce.verifier,
    });
    const refreshed = await msal.acquireTokenSilent({
      account: first.account as NonNullable<typeof first.account>,
      scopes: ["User.Read"],
      forceRefresh: true,
    });
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(decodeJwt(refreshed.accessToken).oid).toBe(decodeJwt(first.accessToken).oid);
  });

  it("rejects a wrong PKCE verifier and a reused code", async () => {
    const msal = portalMsal();
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await msal.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: REDIRECT,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
      prompt: "login",
    });
    const signed = await signIn(url, upn, DEMO_PASSWORD);
    const code = new URL(signed.location as string).searchParams.get("code") as string;
    await expect(
      msal.acquireTokenByCode({
        code,
        redirectUri: REDIRECT,
        scopes: ["User.Read"],
        codeVerifier: "x".repeat(43),
      }),
    ).rejects.toMatchObject({ errorCode: "invalid_grant" });
    // codes are single use: the failed redemption consumed it
    await expect(
      msal.acquireTokenByCode({
        code,
        redirectUri: REDIRECT,
        scopes: ["User.Read"],
        codeVerifier: pkce.verifier,
      }),
    ).rejects.toMatchObject({ errorCode: "invalid_grant" });
  });

  it("shows errors for a wrong password and a disabled account, and refuses foreign redirect URIs", async () => {
    const msal = portalMsal();
    const url = await msal.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT, prompt: "login" });
    const bad = await signIn(url, upn, "wrong");
    expect(bad.status).toBe(200);
    expect(bad.html).toContain("incorrect");
    const disabled = await signIn(url, "gone@contoso.example", DEMO_PASSWORD);
    expect(disabled.html).toContain("AADSTS50057");
    const foreign = await msal.getAuthCodeUrl({
      scopes: ["User.Read"],
      redirectUri: "https://evil.example/cb",
    });
    const page = await t.fetch(foreign);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("AADSTS50011");
  });

  it("logs out: clears the session and redirects to a loopback URI", async () => {
    const r = await t.fetch(
      `${t.h.authority}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent("http://localhost:3000/")}`,
      {
        redirect: "manual",
        headers: cookie ? { cookie: cookie.split(";")[0] as string } : {},
      },
    );
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("http://localhost:3000/");
    expect(r.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    // after logout the same cookie no longer signs in silently
    const url = await portalMsal().getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT });
    const page = await t.fetch(url, {
      redirect: "manual",
      headers: cookie ? { cookie: cookie.split(";")[0] as string } : {},
    });
    expect(page.status).toBe(200);
  });
});
