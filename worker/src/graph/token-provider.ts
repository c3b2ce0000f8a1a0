import { ConfidentialClientApplication, type INetworkModule, type NetworkResponse } from "@azure/msal-node";
import type { AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import type { THttpTransport } from "./http-transport";

export type TAppCredentials = {
  /** `https://login.microsoftonline.com/{tenantId}` or the simulator's `https://127.0.0.1:{port}/{tenantId}`. */
  authority: string;
  clientId: string;
  clientSecret: string;
  /** Graph base URL, e.g. `https://graph.microsoft.com`; the token scope is `{origin}/.default`. */
  graphUrl: string;
};

const MSAL_TIMEOUT_MS = 30_000;

/**
 * MSAL's transport replaced by ours, so token calls use the same explicit CA and have a timeout on POSTs
 * too (msal-node's default client has none for POSTs; OpenArchiver works around the same gap).
 */
function msalNetworkClient(transport: THttpTransport): INetworkModule {
  const send = async <T>(
    url: string,
    method: "GET" | "POST",
    options?: { headers?: Record<string, string>; body?: string },
    timeoutMs = MSAL_TIMEOUT_MS,
  ): Promise<NetworkResponse<T>> => {
    const res = await transport.fetch(url, {
      method,
      headers: options?.headers,
      body: method === "POST" ? (options?.body ?? "") : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { status: res.status, headers, body: (await res.json()) as T };
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, "GET", options, timeout || MSAL_TIMEOUT_MS),
    sendPostRequestAsync: (url, options) => send(url, "POST", options),
  };
}

/**
 * Client-credentials tokens for Graph. One code path for Entra and the simulator: an https authority whose
 * host:port is a known authority, so MSAL never attempts internet instance discovery and reads the
 * tenant's OpenID configuration from the authority itself (graph-entra-officejs.md §E.2).
 */
export class AppTokenProvider implements AuthenticationProvider {
  private readonly app: ConfidentialClientApplication;
  private readonly scope: string;
  private forceRefresh = false;
  /** MSAL has its own cache, but a lookup in it costs ~0.3 ms; at hundreds of requests/s that shows. */
  private cached: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(creds: TAppCredentials, transport: THttpTransport) {
    const authorityUrl = new URL(creds.authority);
    if (authorityUrl.protocol !== "https:") {
      throw new Error(`M365_AUTHORITY must be https (MSAL refuses others): ${creds.authority}`);
    }
    this.scope = `${new URL(creds.graphUrl).origin}/.default`;
    this.app = new ConfidentialClientApplication({
      auth: {
        clientId: creds.clientId,
        clientSecret: creds.clientSecret,
        authority: creds.authority,
        knownAuthorities: [authorityUrl.host],
      },
      system: { networkClient: msalNetworkClient(transport) },
    });
  }

  /** Called after a 401: the next token comes from the authority, not MSAL's cache. */
  invalidate(): void {
    this.forceRefresh = true;
    this.cached = undefined;
  }

  async getAccessToken(): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt && !this.forceRefresh) return this.cached.token;
    // One token request at a time: concurrent callers share it.
    this.pending ??= this.acquire().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async acquire(): Promise<string> {
    const skipCache = this.forceRefresh;
    this.forceRefresh = false;
    const result = await this.app.acquireTokenByClientCredential({ scopes: [this.scope], skipCache });
    if (!result?.accessToken) throw new Error("MSAL returned no access token");
    // Refresh ahead of expiry: 5 minutes for Entra's ~1 h tokens, half the lifetime for short ones.
    const now = Date.now();
    const expires = result.expiresOn?.getTime() ?? now + 120_000;
    this.cached = {
      token: result.accessToken,
      refreshAt: expires - Math.min(5 * 60_000, (expires - now) / 2),
    };
    return result.accessToken;
  }
}
