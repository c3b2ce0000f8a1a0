import { GraphClientError } from "@microsoft/microsoft-graph-client";

/**
 * Graph error codes Coffer branches on (never on messages). Graph is inconsistent about casing
 * (`SyncStateNotFound` vs `syncStateNotFound`, `ErrorItemNotFound` vs `itemNotFound`), so codes are
 * compared case-insensitively through {@link hasCode}.
 * Sources: learn.microsoft.com/graph/errors, delta-query-overview, and Corso `graph/errors.go`
 * (shared/reference/graph-entra-officejs.md §D.2).
 */
export const GRAPH_ERROR = {
  /** 404 on an item (message deleted between the delta page and the MIME GET). */
  ITEM_NOT_FOUND: "ErrorItemNotFound",
  ITEM_NOT_FOUND_LOWER: "itemNotFound",
  /** The folder a delta query was running on is gone. */
  SYNC_FOLDER_NOT_FOUND: "ErrorSyncFolderNotFound",
  /** Delta state lost: restart with a full enumeration (410 Gone or 400). */
  SYNC_STATE_NOT_FOUND: "SyncStateNotFound",
  SYNC_STATE_INVALID: "SyncStateInvalid",
  RESYNC_REQUIRED: "ResyncRequired",
  /** The app lacks the permission or the mailbox forbids it. */
  ACCESS_DENIED: "ErrorAccessDenied",
  AUTHORIZATION_REQUEST_DENIED: "Authorization_RequestDenied",
  /** The user exists but has no Exchange Online mailbox (or it is not reachable through REST). */
  MAILBOX_NOT_ENABLED: "MailboxNotEnabledForRESTAPI",
  INVALID_USER: "ErrorInvalidUser",
  RESOURCE_NOT_FOUND: "ResourceNotFound",
  REQUEST_RESOURCE_NOT_FOUND: "Request_ResourceNotFound",
  /** Mailbox over quota: delta writes sync state into the mailbox and fails with 403. */
  QUOTA_EXCEEDED: "ErrorQuotaExceeded",
  /** Exchange cannot render this item: skip it, keep the mailbox going. */
  CORRUPT_DATA: "ErrorCorruptData",
  CANNOT_OPEN_FILE_ATTACHMENT: "ErrorCannotOpenFileAttachment",
  INVALID_RECIPIENTS: "ErrorInvalidRecipients",
  /** Throttling (429) as Outlook and the generic Graph front end report it. */
  APPLICATION_THROTTLED: "ApplicationThrottled",
  TOO_MANY_REQUESTS: "TooManyRequests",
  /** 401: the token expired or was rejected; MSAL fetches a new one on the retry. */
  INVALID_AUTHENTICATION_TOKEN: "InvalidAuthenticationToken",
  /** 503 from the front end, sometimes with an empty body. */
  SERVICE_NOT_AVAILABLE: "ServiceNotAvailable",
  /** 504. */
  GATEWAY_TIMEOUT: "GatewayTimeout",
} as const;

const STALE_DELTA_CODES = [
  GRAPH_ERROR.SYNC_STATE_NOT_FOUND,
  GRAPH_ERROR.SYNC_STATE_INVALID,
  GRAPH_ERROR.RESYNC_REQUIRED,
];
const SKIP_ITEM_CODES = [
  GRAPH_ERROR.CORRUPT_DATA,
  GRAPH_ERROR.CANNOT_OPEN_FILE_ATTACHMENT,
  GRAPH_ERROR.INVALID_RECIPIENTS,
];
const NOT_FOUND_CODES = [GRAPH_ERROR.ITEM_NOT_FOUND, GRAPH_ERROR.ITEM_NOT_FOUND_LOWER];
const NO_MAILBOX_CODES = [
  GRAPH_ERROR.MAILBOX_NOT_ENABLED,
  GRAPH_ERROR.INVALID_USER,
  GRAPH_ERROR.RESOURCE_NOT_FOUND,
  GRAPH_ERROR.REQUEST_RESOURCE_NOT_FOUND,
];

/** Statuses retried with backoff (Retry-After honoured when present). */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * The three ways a failure is handled (docs/CONVENTIONS.md "Failures"):
 * - transient: retry later with backoff (the request already was, by the middleware; the job may retry too)
 * - permanent: fail this mailbox run and say why
 * - skip: record the item in item_skips with the reason, keep going
 */
export type TFailureKind = "transient" | "permanent" | "skip";

export type TGraphFailureInit = {
  kind: TFailureKind;
  status?: number;
  code?: string;
  retryAfterMs?: number;
  /** The delta token or skip token is no longer valid: restart that folder with a full enumeration. */
  isStaleDelta?: boolean;
  /** The item is gone (404): not an error for an archive, the next delta reports the removal. */
  isNotFound?: boolean;
  /** The user has no mailbox reachable through Graph. */
  isNoMailbox?: boolean;
  cause?: unknown;
};

/**
 * Every Graph failure Coffer raises. Extends the SDK's GraphClientError on purpose: `GraphRequest.send`
 * rethrows GraphClientError instances unchanged, so a failure classified inside our middleware reaches
 * the caller with its kind intact instead of being re-wrapped as a generic GraphError.
 */
export class GraphFailure extends GraphClientError {
  readonly kind: TFailureKind;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly isStaleDelta: boolean;
  readonly isNotFound: boolean;
  readonly isNoMailbox: boolean;

  constructor(message: string, init: TGraphFailureInit) {
    super(message);
    Object.setPrototypeOf(this, GraphFailure.prototype);
    this.name = "GraphFailure";
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
    this.isStaleDelta = init.isStaleDelta ?? false;
    this.isNotFound = init.isNotFound ?? false;
    this.isNoMailbox = init.isNoMailbox ?? false;
    if (init.cause !== undefined) this.cause = init.cause;
  }
}

export function isGraphFailure(e: unknown): e is GraphFailure {
  return e instanceof GraphFailure;
}

export function hasCode(code: string | undefined, candidates: readonly string[]): boolean {
  if (!code) return false;
  const c = code.toLowerCase();
  return candidates.some((x) => x.toLowerCase() === c);
}

/** `Retry-After` is seconds (Graph) or an HTTP date; returns milliseconds from `now`, or undefined. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.round(Number(trimmed) * 1000));
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Graph error JSON: `{ error: { code, message, innerError } }`; tolerant of empty or non-JSON bodies. */
export function parseGraphErrorBody(text: string): { code?: string; message?: string } {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const err = parsed.error;
    if (!err || typeof err !== "object") return {};
    return {
      code: typeof err.code === "string" ? err.code : undefined,
      message: typeof err.message === "string" ? err.message : undefined,
    };
  } catch {
    return {};
  }
}

/** Classifies a final (non-2xx) Graph response. `what` says what was asked, for the message. */
export function failureFromResponse(
  what: string,
  status: number,
  bodyText: string,
  retryAfterHeader?: string | null,
): GraphFailure {
  const { code, message } = parseGraphErrorBody(bodyText);
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  const text = `${what}: HTTP ${status}${code ? ` ${code}` : ""}${message ? ` (${message})` : ""}`;
  const base = { status, code, retryAfterMs };
  if (status === 410 || hasCode(code, STALE_DELTA_CODES)) {
    return new GraphFailure(text, { ...base, kind: "transient", isStaleDelta: true });
  }
  if (RETRYABLE_STATUSES.has(status) || status === 401 || status === 408) {
    return new GraphFailure(text, { ...base, kind: "transient" });
  }
  if (hasCode(code, SKIP_ITEM_CODES)) return new GraphFailure(text, { ...base, kind: "skip" });
  if (hasCode(code, NO_MAILBOX_CODES)) {
    return new GraphFailure(text, { ...base, kind: "permanent", isNoMailbox: true });
  }
  if (status === 404 || hasCode(code, NOT_FOUND_CODES)) {
    return new GraphFailure(text, { ...base, kind: "skip", isNotFound: true });
  }
  return new GraphFailure(text, { ...base, kind: "permanent" });
}

const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_ABORTED",
]);

function errorCode(e: unknown): string | undefined {
  if (e && typeof e === "object" && "code" in e && typeof e.code === "string") return e.code;
  return undefined;
}

/**
 * A failure below HTTP (reset, refused, timeout, TLS) or while reading a body. Resets and timeouts are
 * transient; TLS trust failures are permanent (a wrong CA does not fix itself).
 */
export function failureFromNetworkError(what: string, e: unknown): GraphFailure {
  if (e instanceof GraphFailure) return e;
  const chain: unknown[] = [];
  for (let cur: unknown = e; cur && chain.length < 5; cur = (cur as { cause?: unknown }).cause) {
    chain.push(cur);
  }
  const codes = chain.map(errorCode).filter((c): c is string => !!c);
  const names = chain.map((c) => (c instanceof Error ? c.name : "")).filter(Boolean);
  const msg = chain.map((c) => (c instanceof Error ? c.message : String(c))).join(": ");
  const isTls = codes.some(
    (c) => c.includes("CERT") || c.startsWith("ERR_TLS") || c === "DEPTH_ZERO_SELF_SIGNED_CERT",
  );
  if (isTls) {
    return new GraphFailure(`${what}: TLS failure (${msg}); check M365_CA_FILE`, {
      kind: "permanent",
      cause: e,
    });
  }
  const isTransient =
    codes.some((c) => TRANSIENT_NETWORK_CODES.has(c)) ||
    names.some((n) => n === "AbortError" || n === "TimeoutError") ||
    /socket hang up|other side closed|terminated|fetch failed/i.test(msg);
  return new GraphFailure(`${what}: ${msg}`, {
    kind: isTransient ? "transient" : "permanent",
    code: codes[0],
    cause: e,
  });
}

/** Any error from a Graph call, as a GraphFailure (already-classified failures pass through). */
export function toGraphFailure(what: string, e: unknown): GraphFailure {
  return e instanceof GraphFailure ? e : failureFromNetworkError(what, e);
}
