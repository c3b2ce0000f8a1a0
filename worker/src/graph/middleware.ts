import type { Context, Middleware, MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { failureFromNetworkError, GraphFailure, parseRetryAfter, RETRYABLE_STATUSES } from "./errors";
import { bufferedBody, type THttpTransport } from "./http-transport";
import { type GraphRateLimiter, sleep } from "./rate-limiter";

/** Counters of one unit of work (a mailbox run), shown by `coffer sync`. */
export type TRequestStats = {
  /** HTTP requests sent to Graph (every attempt, retries included: Graph counts them all). */
  requests: number;
  /** Responses 429 (and 503 with Retry-After) that made us wait. */
  throttled: number;
  /** Attempts retried for any transient reason. */
  retries: number;
};

export function newRequestStats(): TRequestStats {
  return { requests: 0, throttled: 0, retries: 0 };
}

export type TRetryPolicy = {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** Backoff without Retry-After: full jitter over base·2^n, capped. */
  baseDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_RETRY_POLICY: TRetryPolicy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 30_000 };

/** Bodies announced at or below this size are read whole by the middleware (see execute). */
export const BUFFERED_BODY_LIMIT = 1024 * 1024;

/**
 * Per-request options for {@link LimitRetryHandler}: which limiter key (app + mailbox) the request counts
 * against, and where to count it. Passed with `GraphRequest.middlewareOptions([...])`.
 */
export class LimitOptions implements MiddlewareOptions {
  constructor(
    readonly limiterKey: string | undefined,
    readonly stats: TRequestStats,
    readonly signal?: AbortSignal,
  ) {}
}

type TTokenInvalidator = { invalidate(): void };

/**
 * Our replacement for the SDK's RetryHandler, first in the chain so that every attempt goes through the
 * shared limiter (the SDK's handler retries below any limiter and only for buffered bodies):
 * lease → send → on 429/5xx/reset: record Retry-After mailbox-wide, back off, re-lease, resend.
 * The lease is held until the response body is fully read or cancelled, because Graph counts a
 * streaming download as in flight until it ends.
 * The final response (success or a non-retryable status) is handed back as is; the adapter classifies it.
 */
export class LimitRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly limiter: GraphRateLimiter,
    private readonly tokens: TTokenInvalidator,
    private readonly policy: TRetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const opts = context.middlewareControl?.getMiddlewareOptions(LimitOptions) as LimitOptions | undefined;
    const stats = opts?.stats ?? newRequestStats();
    const key = opts?.limiterKey;
    const signal = opts?.signal;
    const url = typeof context.request === "string" ? context.request : context.request.url;
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      const lease = key ? await this.limiter.acquire(key, signal) : undefined;
      let released = false;
      const release = () => {
        if (released || !lease) return;
        released = true;
        void this.limiter.release(lease).catch(() => {});
      };
      // The SDK's AuthenticationHandler appends to an existing Authorization header ("Bearer a, Bearer b"):
      // clear it so each attempt carries exactly one, possibly fresher, token.
      clearHeader(context, "Authorization");
      let response: Response | undefined;
      try {
        stats.requests++;
        await this.next!.execute(context);
        response = context.response;
      } catch (e) {
        release();
        const failure = failureFromNetworkError(`GET ${redact(url)}`, e);
        if (failure.kind !== "transient" || attempt >= this.policy.maxAttempts || signal?.aborted)
          throw failure;
        stats.retries++;
        await sleep(this.backoff(attempt), signal);
        continue;
      }
      if (!response) {
        release();
        throw new GraphFailure(`GET ${redact(url)}: no response`, { kind: "transient" });
      }
      const status = response.status;
      const isRetryable = RETRYABLE_STATUSES.has(status) || (status === 401 && !refreshedToken);
      if (!isRetryable || attempt >= this.policy.maxAttempts) {
        if (bufferedBody(response)) {
          // Bodies up to BUFFERED_BODY_LIMIT were read whole by the transport (a reset while reading them
          // failed `execute` above, and was retried there): nothing is in flight any more.
          release();
          return;
        }
        context.response = releaseWhenConsumed(response, release);
        return;
      }
      stats.retries++;
      if (status === 401) {
        await response.body?.cancel().catch(() => {});
        release();
        refreshedToken = true;
        this.tokens.invalidate();
        continue;
      }
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      if (status === 429 || retryAfterMs !== undefined) stats.throttled++;
      if (key && (retryAfterMs !== undefined || status === 429)) {
        // Mailbox-wide: every worker holds off until then. Recorded BEFORE this request's slot is freed, so
        // whoever takes the slot next already sees it (never a request before a Retry-After expired).
        await this.limiter.setNotBefore(key, retryAfterMs ?? this.backoff(attempt)).catch(() => {});
        await response.body?.cancel().catch(() => {});
        release();
      } else {
        // Discard this body (frees the socket) and the lease before waiting.
        await response.body?.cancel().catch(() => {});
        release();
        await sleep(retryAfterMs ?? this.backoff(attempt), signal);
      }
    }
  }

  private backoff(attempt: number): number {
    const cap = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(cap / 2 + (Math.random() * cap) / 2);
  }
}

function clearHeader(context: Context, name: string): void {
  const headers = context.options?.headers;
  if (!headers) return;
  if (headers instanceof Headers) headers.delete(name);
  else if (Array.isArray(headers)) {
    const kept = headers.filter(([k]) => k?.toLowerCase() !== name.toLowerCase());
    headers.splice(0, headers.length, ...kept);
  } else {
    for (const k of Object.keys(headers))
      if (k.toLowerCase() === name.toLowerCase()) delete (headers as Record<string, string>)[k];
  }
}

/**
 * Wraps a response so `onDone` runs once its body has been read to the end, failed or been cancelled.
 * (A TransformStream would not see a cancel on Node 20.)
 */
function releaseWhenConsumed(response: Response, onDone: () => void): Response {
  if (!response.body) {
    onDone();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          onDone();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (e) {
        onDone();
        controller.error(e);
      }
    },
    cancel(reason) {
      onDone();
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** The last link in the chain: sends the request through our CA-trusting transport. */
export class TransportHandler implements Middleware {
  constructor(private readonly transport: THttpTransport) {}

  async execute(context: Context): Promise<void> {
    const opts = context.middlewareControl?.getMiddlewareOptions(LimitOptions) as LimitOptions | undefined;
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const options = (context.options ?? {}) as RequestInit;
    context.response = await this.transport.send(
      url,
      {
        method: options.method ?? "GET",
        headers: options.headers ?? {},
        body: (options.body as string | Uint8Array | null | undefined) ?? null,
        ...(opts?.signal ? { signal: opts.signal } : {}),
      },
      BUFFERED_BODY_LIMIT,
    );
  }
}

/** Tokens in query strings ($skiptoken, $deltatoken) are bearer-like: keep them out of logs. */
export function redact(url: string): string {
  return url.replace(/(\$(?:skip|delta)token=)[^&]+/gi, "$1…");
}
