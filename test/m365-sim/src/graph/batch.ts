import { Readable } from "node:stream";
import {
  badRequest,
  errorResponse,
  GraphError,
  jsonBody,
  parseQuery,
  type SimRequest,
  type SimResponse,
} from "../http";
import { splitGraphPath } from "../router";
import type { Simulator } from "../sim";
import type { GraphCtx } from "./context";

/**
 * JSON batching (https://learn.microsoft.com/graph/json-batching): at most 20 requests, unique ids,
 * `dependsOn` ordering with 424 for dependents of failed requests. Every sub-request goes through
 * the full Graph pipeline, so each is throttled on its own: the independent requests of a batch run
 * at the same time, and more than 4 to one mailbox throttle each other (429 in their own `headers`).
 */

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

const MAX = 20;

async function streamToBuffer(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

function lowerHeaders(h: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = String(v);
  return out;
}

function bodyBytes(item: BatchItem, headers: Record<string, string>): Buffer {
  if (item.body === undefined || item.body === null) return Buffer.alloc(0);
  const ct = headers["content-type"];
  if (!ct) throw badRequest(`Request '${item.id}': a body requires the Content-Type header.`, "BadRequest");
  if (/json/i.test(ct))
    return Buffer.from(typeof item.body === "string" ? item.body : JSON.stringify(item.body), "utf8");
  // non-JSON bodies travel base64-encoded in the batch
  if (typeof item.body !== "string")
    throw badRequest(`Request '${item.id}': a non-JSON body must be a base64 string.`, "BadRequest");
  return Buffer.from(item.body, "base64");
}

async function toBatchResponse(id: string, res: SimResponse): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { ...res.headers };
  let body: unknown;
  if (res.json !== undefined) {
    body = res.json;
    headers["Content-Type"] ??=
      "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";
  } else if (res.stream) body = (await streamToBuffer(res.stream.open())).toString("base64");
  else if (res.body !== undefined && (typeof res.body === "string" ? res.body.length : res.body.length) > 0) {
    body = (typeof res.body === "string" ? Buffer.from(res.body) : res.body).toString("base64");
  }
  const out: Record<string, unknown> = { id, status: res.status, headers };
  if (body !== undefined) out.body = body;
  return out;
}

export async function runBatch(ctx: GraphCtx): Promise<SimResponse> {
  const sim: Simulator = ctx.sim;
  const b = jsonBody<{ requests?: BatchItem[] }>(ctx.req);
  const items = b.requests;
  if (!Array.isArray(items) || items.length === 0)
    throw badRequest("Invalid batch payload format: 'requests' is required.", "BadRequest");
  if (items.length > MAX)
    throw badRequest(`The number of batch requests exceeds the limit of ${MAX}.`, "BadRequest");
  const ids = new Set<string>();
  for (const it of items) {
    if (typeof it.id !== "string" || !it.id)
      throw badRequest("Every batch request needs an id.", "BadRequest");
    if (ids.has(it.id)) throw badRequest(`Batch request id '${it.id}' is not unique.`, "BadRequest");
    ids.add(it.id);
    if (typeof it.method !== "string" || typeof it.url !== "string")
      throw badRequest(`Batch request '${it.id}' needs a method and a url.`, "BadRequest");
    if (/^https?:/i.test(it.url))
      throw badRequest(`Batch request '${it.id}': the url must be relative.`, "BadRequest");
  }
  for (const it of items)
    for (const d of it.dependsOn ?? [])
      if (!ids.has(d))
        throw badRequest(`Batch request '${it.id}' depends on unknown request '${d}'.`, "BadRequest");
  // body/Content-Type problems make the whole batch malformed
  const prepared = items.map((it) => {
    const headers = lowerHeaders(it.headers);
    return { it, headers, body: bodyBytes(it, headers) };
  });

  const results = new Map<string, SimResponse>();
  const pending = new Map(prepared.map((p) => [p.it.id, p]));
  const out: Array<Record<string, unknown>> = [];
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((p) => (p.it.dependsOn ?? []).every((d) => results.has(d)));
    if (ready.length === 0) throw badRequest("The dependsOn graph of the batch has a cycle.", "BadRequest");
    // start all ready requests before awaiting any, so they are concurrent as in Graph
    const runs = ready.map((p) => {
      pending.delete(p.it.id);
      const failedDep = (p.it.dependsOn ?? []).find(
        (d) => ((results.get(d)?.status ?? 200) as number) >= 400,
      );
      if (failedDep) {
        return Promise.resolve({
          id: p.it.id,
          res: errorResponse(
            new GraphError(
              424,
              "FailedDependency",
              `The request depends on request '${failedDep}', which failed.`,
            ),
            { requestId: ctx.req.requestId, clientRequestId: undefined },
          ),
        });
      }
      const url = p.it.url.startsWith("/") ? p.it.url : `/${p.it.url}`;
      const qi = url.indexOf("?");
      const rawQuery = qi < 0 ? "" : url.slice(qi + 1);
      const sub: SimRequest = {
        method: p.it.method.toUpperCase(),
        path: qi < 0 ? url : url.slice(0, qi),
        query: parseQuery(rawQuery),
        rawQuery,
        headers: { ...p.headers, authorization: ctx.req.headers.authorization },
        body: p.body,
        requestId: ctx.req.requestId,
        clientRequestId: p.headers["client-request-id"],
      };
      return sim
        .graphPipeline(sub, ctx.version, splitGraphPath(sub.path), true, ctx.claims)
        .then(async (r) => {
          r.release?.();
          return { id: p.it.id, res: r.res };
        })
        .catch((err: unknown) => ({ id: p.it.id, res: sim.toErrorResponse(err, sub) }));
    });
    for (const { id, res } of await Promise.all(runs)) {
      results.set(id, res);
      out.push(await toBatchResponse(id, res));
    }
  }
  return { status: 200, json: { responses: out } };
}

export { Readable };
