import { z } from "zod";
import { failureFromNetworkError, GraphFailure, parseRetryAfter, RETRYABLE_STATUSES } from "./errors";
import { createHttpTransport, type THttpTransport } from "./http-transport";
import { DEFAULT_RETRY_POLICY, type TRetryPolicy } from "./middleware";
import { sleep } from "./rate-limiter";
import { AppTokenProvider } from "./token-provider";

/**
 * The Exchange Online admin API's `InvokeCommand` (graph-entra-officejs.md C.2): the only place FullAccess
 * and SendAs permissions can be read, because Graph has no API for them. The EXO v3 PowerShell module uses
 * the same endpoint; Microsoft calls it unsupported, so it is kept behind this small port.
 *
 * Auth is the worker's app registration with a token for `${exchangeUrl}/.default` (the simulator serves
 * it on its own origin). Requests are retried on 429/5xx honouring Retry-After, and on a first 401 with a
 * fresh token; errors become `GraphFailure`s classified like Graph's.
 */

/** One `Get-MailboxPermission` entry, as Exchange returns it. */
export type TMailboxPermissionEntry = {
  user: string;
  accessRights: string[];
  isInherited: boolean;
  deny: boolean;
};

/** One `Get-RecipientPermission` entry (SendAs). */
export type TRecipientPermissionEntry = {
  trustee: string;
  accessRights: string[];
  isInherited: boolean;
  isDeny: boolean;
};

export interface ExchangeAdminPort {
  getMailboxPermissions(identity: string, signal?: AbortSignal): Promise<TMailboxPermissionEntry[]>;
  getRecipientPermissions(identity: string, signal?: AbortSignal): Promise<TRecipientPermissionEntry[]>;
  close(): Promise<void>;
}

export type TExchangeAdminOptions = {
  authority: string;
  /** `https://outlook.office365.com` (M365_EXCHANGE_URL), or the simulator's origin. */
  exchangeUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caFile?: string | undefined;
  caPem?: string | undefined;
  retry?: TRetryPolicy;
  /** Per request: InvokeCommand answers in seconds; a stuck request must not hold a task run forever. */
  timeoutMs?: number;
};

const ZBool = z.union([z.boolean(), z.string().transform((s) => s.toLowerCase() === "true")]);
const ZRights = z.union([z.array(z.string()), z.string().transform((s) => s.split(/\s*,\s*/))]);
const ZMailboxPermission = z.object({
  User: z.string(),
  AccessRights: ZRights,
  IsInherited: ZBool.nullish(),
  Deny: ZBool.nullish(),
});
const ZRecipientPermission = z.object({
  Trustee: z.string(),
  AccessRights: ZRights,
  IsInherited: ZBool.nullish(),
  AccessControlType: z.string().nullish(),
});
const ZPage = z.object({
  value: z.array(z.record(z.string(), z.unknown())),
  "@odata.nextLink": z.string().optional(),
});

export class ExchangeAdminClient implements ExchangeAdminPort {
  private readonly transport: THttpTransport;
  private readonly tokens: AppTokenProvider;
  private readonly endpoint: string;
  private readonly anchor: string;
  private readonly retry: TRetryPolicy;
  private readonly timeoutMs: number;

  constructor(opts: TExchangeAdminOptions) {
    const base = new URL(opts.exchangeUrl);
    if (base.protocol !== "https:") throw new Error(`M365_EXCHANGE_URL must be https: ${opts.exchangeUrl}`);
    this.transport = createHttpTransport({ caFile: opts.caFile, caPem: opts.caPem });
    // AppTokenProvider derives the scope from the URL's origin: `${exchange origin}/.default`.
    this.tokens = new AppTokenProvider(
      {
        authority: opts.authority,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        graphUrl: base.origin,
      },
      this.transport,
    );
    this.endpoint = `${base.origin}/adminapi/beta/${encodeURIComponent(opts.tenantId)}/InvokeCommand`;
    // The routing hint the EXO module sends for app-only calls (C.2).
    this.anchor = `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${opts.tenantId}`;
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async getMailboxPermissions(identity: string, signal?: AbortSignal): Promise<TMailboxPermissionEntry[]> {
    const rows = await this.invoke("Get-MailboxPermission", { Identity: identity }, signal);
    return rows.map((raw) => {
      const r = ZMailboxPermission.parse(raw);
      return {
        user: r.User,
        accessRights: r.AccessRights,
        isInherited: r.IsInherited ?? false,
        deny: r.Deny ?? false,
      };
    });
  }

  async getRecipientPermissions(
    identity: string,
    signal?: AbortSignal,
  ): Promise<TRecipientPermissionEntry[]> {
    const rows = await this.invoke("Get-RecipientPermission", { Identity: identity }, signal);
    return rows.map((raw) => {
      const r = ZRecipientPermission.parse(raw);
      return {
        trustee: r.Trustee,
        accessRights: r.AccessRights,
        isInherited: r.IsInherited ?? false,
        isDeny: (r.AccessControlType ?? "Allow").toLowerCase() === "deny",
      };
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** Runs one cmdlet and returns every row, following `@odata.nextLink` with the same body. */
  private async invoke(
    cmdlet: string,
    parameters: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Array<Record<string, unknown>>> {
    const body = JSON.stringify({ CmdletInput: { CmdletName: cmdlet, Parameters: parameters } });
    const out: Array<Record<string, unknown>> = [];
    let url: string | undefined = this.endpoint;
    while (url) {
      const page = ZPage.parse(await this.post(cmdlet, url, body, signal));
      out.push(...page.value);
      url = page["@odata.nextLink"];
    }
    return out;
  }

  private async post(what: string, url: string, body: string, signal?: AbortSignal): Promise<unknown> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const token = await this.tokens.getAccessToken();
        res = await this.transport.fetch(url, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`,
            "content-type": "application/json; charset=utf-8",
            "x-anchormailbox": this.anchor,
            prefer: "odata.maxpagesize=1000",
          },
          body,
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)])
            : AbortSignal.timeout(this.timeoutMs),
        });
      } catch (e) {
        const failure = failureFromNetworkError(`${what} (Exchange admin API)`, e);
        if (failure.kind !== "transient" || attempt >= this.retry.maxAttempts || signal?.aborted)
          throw failure;
        await sleep(this.backoff(attempt), signal);
        continue;
      }
      if (res.ok) return res.json();
      const text = await res.text().catch(() => "");
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        this.tokens.invalidate();
        continue;
      }
      if (RETRYABLE_STATUSES.has(res.status) && attempt < this.retry.maxAttempts) {
        await sleep(parseRetryAfter(res.headers.get("retry-after")) ?? this.backoff(attempt), signal);
        continue;
      }
      throw exchangeFailure(what, res.status, text);
    }
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }
}

/**
 * InvokeCommand's errors carry the cmdlet's message in `error.details[].message` or
 * `error.innererror.internalException.message` rather than `error.message` (C.2).
 */
export function exchangeFailure(what: string, status: number, text: string): GraphFailure {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const e = (JSON.parse(text) as { error?: Record<string, unknown> }).error ?? {};
    code = typeof e.code === "string" ? e.code : undefined;
    const details = Array.isArray(e.details) ? (e.details as Array<{ message?: unknown }>) : [];
    const inner = (e.innererror as { internalException?: { message?: unknown } } | undefined)
      ?.internalException;
    const candidates = [details[0]?.message, inner?.message, e.message];
    message = candidates.find((m): m is string => typeof m === "string" && m.length > 0);
  } catch {
    message = text.slice(0, 200) || undefined;
  }
  const transient = RETRYABLE_STATUSES.has(status) || status === 401 || status === 408;
  return new GraphFailure(
    `${what} (Exchange admin API): HTTP ${status}${code ? ` ${code}` : ""}${message ? ` (${message})` : ""}`,
    {
      kind: transient ? "transient" : "permanent",
      status,
      code,
      isNotFound: status === 404,
    },
  );
}
