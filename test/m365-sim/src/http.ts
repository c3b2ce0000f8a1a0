import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";

/**
 * The simulator's request/response model. Handlers return a `SimResponse` instead of writing to the
 * socket, so the same handlers serve plain HTTP requests and `$batch` sub-requests.
 */

export interface SimRequest {
  method: string;
  /** Path without query, percent-decoded per segment later by the router. */
  path: string;
  /** Query parameters; keys lower-cased and without a leading `$` (Graph accepts both spellings). */
  query: Map<string, string>;
  /** The raw query string as received (without `?`), used to build nextLinks. */
  rawQuery: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
  requestId: string;
  clientRequestId: string | undefined;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
  /** Streamed bodies (large `$value`); `length` is sent as Content-Length when known. */
  stream?: { open: () => Readable; length?: number };
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (message = "The specified object was not found in the store.") =>
  new GraphError(404, "ErrorItemNotFound", message);

export const badRequest = (message: string, code = "BadRequest") => new GraphError(400, code, message);

export function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  for (const part of raw.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const k = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? "" : decodeComponent(part.slice(eq + 1));
    out.set(k.replace(/^\$/, "").toLowerCase(), v);
  }
  return out;
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

export function newRequestId(): string {
  return randomUUID();
}

/** Graph's error body: `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`. */
export function graphErrorJson(
  err: GraphError,
  req: Pick<SimRequest, "requestId" | "clientRequestId">,
): unknown {
  const innerError: Record<string, unknown> = {
    date: new Date().toISOString().replace(/\.\d{3}Z$/, ""),
    "request-id": req.requestId,
    "client-request-id": req.clientRequestId ?? req.requestId,
  };
  return { error: { code: err.code, message: err.message, ...err.extra, innerError } };
}

export function errorResponse(
  err: GraphError,
  req: Pick<SimRequest, "requestId" | "clientRequestId">,
): SimResponse {
  return { status: err.status, headers: { ...err.headers }, json: graphErrorJson(err, req) };
}

export function jsonBody<T = Record<string, unknown>>(req: SimRequest): T {
  if (req.body.length === 0) throw badRequest("Empty Payload. JSON content expected.", "ErrorInvalidRequest");
  try {
    return JSON.parse(req.body.toString("utf8")) as T;
  } catch {
    throw badRequest(
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
      "BadRequest",
    );
  }
}

/** Parses the `Prefer` header(s) into a lower-cased map: `odata.maxpagesize` → "200", `idtype` → "ImmutableId". */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const item of header.split(",")) {
    const eq = item.indexOf("=");
    const key = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value =
      eq < 0
        ? ""
        : item
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, "$1");
    if (key) out.set(key, value);
  }
  return out;
}
