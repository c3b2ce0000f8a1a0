import { rootCertificates } from "node:tls";
import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from "@azure/msal-node";
import { Client, type Context, type Middleware, MiddlewareFactory } from "@microsoft/microsoft-graph-client";
import { Agent, fetch as undiciFetch } from "undici";
import { SimControl } from "../src/client";
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from "../src/index";

/**
 * Test plumbing: a simulator per test file, driven through the real SDKs. Trust in the simulator CA is
 * explicit (an undici dispatcher handed to fetch), the way the worker configures its transport, so the
 * tests do not depend on NODE_EXTRA_CA_CERTS.
 */

export interface TestSim {
  h: SimulatorHandle;
  ctl: SimControl;
  dispatcher: Agent;
  /** fetch that trusts the simulator CA. */
  fetch: typeof globalThis.fetch;
  close(): Promise<void>;
}

export async function startTestSim(opts: SimulatorOptions = {}): Promise<TestSim> {
  const h = await startSimulator({ generator: "stand-in", ...opts });
  const dispatcher = new Agent({ connect: { ca: [...rootCertificates, h.caPem] }, connections: 64 });
  const f = ((input: string | URL | Request, init?: RequestInit) =>
    fetch(input, { ...init, dispatcher } as RequestInit)) as typeof globalThis.fetch;
  const ctl = new SimControl(h);
  return {
    h,
    ctl,
    dispatcher,
    fetch: f,
    async close() {
      ctl.close();
      await h.close();
      await dispatcher.close();
    },
  };
}

/** MSAL's network module over the CA-trusting fetch (a documented MSAL extension point). */
export function msalNetwork(t: TestSim): INetworkModule {
  const send = async <T>(
    url: string,
    method: string,
    options?: { headers?: Record<string, string>; body?: string },
  ): Promise<NetworkResponse<T>> => {
    const res = await t.fetch(url, {
      method,
      headers: options?.headers,
      body: method === "POST" ? (options?.body ?? "") : undefined,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { status: res.status, headers, body: (await res.json()) as T };
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, "GET", options),
    sendPostRequestAsync: (url, options) => send(url, "POST", options),
  };
}

export function workerMsal(t: TestSim, secret = t.h.clientSecret): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: t.h.clientId,
      clientSecret: secret,
      authority: t.h.authority,
      knownAuthorities: [new URL(t.h.url).host],
    },
    system: { networkClient: msalNetwork(t) },
  });
}

export async function appToken(t: TestSim, scope = "https://graph.microsoft.com/.default"): Promise<string> {
  const r = await workerMsal(t).acquireTokenByClientCredential({ scopes: [scope] });
  if (!r?.accessToken) throw new Error("no token");
  return r.accessToken;
}

/**
 * The Graph SDK pointed at the simulator: https base URL + customHosts, and the SDK's own middleware
 * chain (authentication, RetryHandler, redirects, telemetry). Only the last link, the HTTP transport,
 * is swapped for undici's fetch with the CA-trusting dispatcher — as the worker's adapter does. (Node
 * 20's built-in fetch cannot use an undici 7 dispatcher when the SDK sets Content-Length itself.)
 */
export function graphClient(t: TestSim, token: string | (() => Promise<string>)): Client {
  const authProvider = {
    getAccessToken: () => Promise.resolve(typeof token === "string" ? token : token()),
  };
  const chain = MiddlewareFactory.getDefaultMiddlewareChain(authProvider);
  const transport: Middleware = {
    async execute(context: Context): Promise<void> {
      const req = context.request;
      const init = { ...(context.options as Record<string, unknown>), dispatcher: t.dispatcher };
      context.response = (await undiciFetch(
        req as string,
        init as Parameters<typeof undiciFetch>[1],
      )) as unknown as Response;
    },
  };
  chain[chain.length - 2]?.setNext?.(transport);
  chain[chain.length - 1] = transport;
  return Client.initWithMiddleware({
    baseUrl: t.h.graphUrl,
    defaultVersion: "v1.0",
    customHosts: new Set([new URL(t.h.graphUrl).hostname]),
    middleware: chain,
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: Record<string, unknown> & {
    value?: Array<Record<string, unknown>>;
    error?: { code: string; message: string };
  };
}

/** Raw HTTPS against Graph: path relative to the origin (`/v1.0/...`) or absolute. */
export async function raw(
  t: TestSim,
  method: string,
  path: string,
  opts: { token?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = path.startsWith("https://") ? path : `${t.h.url}${path}`;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = Buffer.isBuffer(opts.body) ? new Uint8Array(opts.body) : opts.body;
  const res = await t.fetch(url, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString("utf8");
  let json: RawResponse["json"] = {};
  if (/json/.test(res.headers.get("content-type") ?? "") && text)
    json = JSON.parse(text) as RawResponse["json"];
  return { status: res.status, headers: res.headers, text, bytes, json };
}

export function mimeMessage(opts: {
  subject: string;
  messageId?: string;
  from?: string;
  to?: string;
  body?: string;
  date?: string;
}): string {
  return [
    `From: ${opts.from ?? "Alice Example <alice@fabrikam.example>"}`,
    `To: ${opts.to ?? "bob@contoso.example"}`,
    `Subject: ${opts.subject}`,
    `Date: ${opts.date ?? "Mon, 02 Mar 2026 10:00:00 +0000"}`,
    `Message-ID: ${opts.messageId ?? `<${Math.random().toString(36).slice(2)}@fabrikam.example>`}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    opts.body ?? "Hello from a test.",
    "",
  ].join("\r\n");
}

/** Follows nextLinks of a delta round to its deltaLink, collecting items. */
export async function deltaRound(
  t: TestSim,
  token: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ items: Array<Record<string, unknown>>; deltaLink: string; pages: number }> {
  const items: Array<Record<string, unknown>> = [];
  let next: string | undefined = url;
  let pages = 0;
  for (;;) {
    const r = await raw(t, "GET", next, { token, headers });
    if (r.status !== 200) throw new Error(`delta page failed: ${r.status} ${r.text}`);
    pages++;
    items.push(...(r.json.value ?? []));
    const nl = r.json["@odata.nextLink"] as string | undefined;
    const dl = r.json["@odata.deltaLink"] as string | undefined;
    if (dl) return { items, deltaLink: dl, pages };
    if (!nl) throw new Error("delta page without nextLink or deltaLink");
    next = nl;
  }
}
