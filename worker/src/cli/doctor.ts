import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { loadSettingsEnv } from "@coffer/db/settings";
import { z } from "zod";
import { checkSection, redactUrl } from "../config";
import { defineCommand } from "./command";

/**
 * `coffer doctor`: is everything Coffer needs reachable and usable? One line per check, in plain words,
 * with what to do when something is wrong. Exit code 1 when a check fails; warnings (something optional
 * not configured yet) do not fail.
 */

type Env = Record<string, string | undefined>;
export type CheckStatus = "ok" | "warn" | "fail";
export type CheckResult = { name: string; status: CheckStatus; message: string };

const START_IT = "Start it with `npm run stack`.";
/** Entra ID accepts this resource for app-only Graph tokens; the simulator follows Entra. */
const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** The reason a connection failed, in words, when it is a network-level failure. */
export function networkReason(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string; errors?: unknown[] } | undefined;
  // Node reports "localhost" failures (IPv6 then IPv4) as an AggregateError; its parts carry the code.
  const code = e?.code ?? (e?.errors?.[0] as { code?: string } | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ETIMEDOUT":
    case "ESOCKETTIMEDOUT":
      return "timed out";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "ECONNRESET":
    case "EPIPE":
      return "connection reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
  }
  if (e?.message && /timeout|timed out/i.test(e.message)) return "timed out";
  if (e?.message && /connection is closed/i.test(e.message)) return "connection closed";
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** host:port/database of a postgres URL, without the user's password. */
function postgresWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}

export async function checkPostgres(env: Env, timeoutMs: number): Promise<CheckResult> {
  const name = "PostgreSQL";
  const s = checkSection("database", env);
  if (!s.ok) return { name, status: "fail", message: s.problems.join(" ") };
  const url = s.value.DATABASE_URL;
  const where = postgresWhere(url);
  const { inspectDatabase } = await import("@coffer/db/health");
  try {
    const h = await inspectDatabase(url, timeoutMs);
    if (h.pending.length > 0) {
      const n = h.pending.length;
      return {
        name,
        status: "fail",
        message:
          `PostgreSQL ${h.serverVersion} at ${where} answers, but ${n} migration${n === 1 ? " is" : "s are"} ` +
          `not applied (${h.pending.join(", ")}). Run \`npm run db:migrate\`.`,
      };
    }
    if (h.unknown.length > 0) {
      return {
        name,
        status: "warn",
        message:
          `PostgreSQL ${h.serverVersion} at ${where} answers, but has migrations this code does not know ` +
          `(${h.unknown.join(", ")}): the database is newer than this checkout.`,
      };
    }
    return {
      name,
      status: "ok",
      message: `PostgreSQL ${h.serverVersion} at ${where} answers; all ${h.applied.length} migrations are applied.`,
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = networkReason(error);
    let message: string;
    if (reason) message = `PostgreSQL at ${where} is not answering (${reason}). ${START_IT}`;
    else if (code === "3D000")
      message = `PostgreSQL at ${where.split("/")[0]} has no database "${where.split("/")[1] ?? ""}". Run \`npm run stack\` (it creates it), or correct DATABASE_URL.`;
    else if (code === "28P01" || code === "28000")
      message = `PostgreSQL at ${where} refused the login (${messageOf(error)}). Check the user and password in DATABASE_URL.`;
    else message = `PostgreSQL at ${where} could not be checked: ${messageOf(error)}.`;
    return { name, status: "fail", message };
  }
}

export async function checkRedis(env: Env, timeoutMs: number): Promise<CheckResult> {
  const name = "Redis";
  const s = checkSection("redis", env);
  if (!s.ok) return { name, status: "fail", message: s.problems.join(" ") };
  const url = s.value.REDIS_URL;
  const shown = redactUrl(url);
  const { Redis } = await import("ioredis");
  // One attempt, no retries and no offline queue: doctor wants the first answer, not resilience.
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // ioredis emits the socket's error (ECONNREFUSED, …) as an event and then rejects connect() with a
  // generic "Connection is closed"; keep the first so the sentence names the real cause.
  let socketError: unknown;
  client.on("error", (e) => {
    socketError ??= e;
  });
  try {
    await client.connect();
    const pong = await client.ping();
    const info = await client.info("server");
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "";
    if (pong !== "PONG")
      return { name, status: "fail", message: `Redis at ${shown} answered PING with "${pong}".` };
    return { name, status: "ok", message: `Redis${version ? ` ${version}` : ""} at ${shown} answers PING.` };
  } catch (thrown) {
    const error = socketError ?? thrown;
    const reason = networkReason(error);
    const text = messageOf(error);
    let message: string;
    if (reason) message = `Redis at ${shown} is not answering (${reason}). ${START_IT}`;
    else if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(text))
      message = `Redis at ${shown} refused the login (${text}). Check the password in REDIS_URL.`;
    else message = `Redis at ${shown} could not be checked: ${text}.`;
    return { name, status: "fail", message };
  } finally {
    client.disconnect();
  }
}

type HttpsAnswer = { status: number; body: string };

function httpsRequest(
  url: string,
  init: { method?: "GET" | "POST"; form?: Record<string, string>; ca?: string; timeoutMs: number },
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const req = https.request(
      url,
      {
        method: init.method ?? "GET",
        // An extra CA (the simulator's) is added to the public roots, never instead of them.
        ca: init.ca ? [...rootCertificates, init.ca] : undefined,
        headers: body
          ? { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) }
          : {},
        timeout: init.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}

const TLS_TRUST_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
]);

/** Entra's error_description ends with trace and correlation ids; the first line is the sentence. */
function entraError(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error?: string; error_description?: string };
    const first = j.error_description?.split(/\r?\n/)[0]?.trim();
    return first || j.error;
  } catch {
    return undefined;
  }
}

export async function checkMicrosoft365(env: Env, timeoutMs: number): Promise<CheckResult> {
  const name = "Microsoft 365";
  const authority = env.M365_AUTHORITY?.trim().replace(/\/+$/, "");
  if (!authority) {
    return {
      name,
      status: "warn",
      message:
        "not configured: M365_AUTHORITY is not set. Set the M365_* settings of your Entra app, or start the simulator with `npm run stack`.",
    };
  }
  const section = checkSection("m365", env);
  const caFile = env.M365_CA_FILE?.trim() || undefined;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, "utf8");
    } catch {
      return { name, status: "fail", message: `M365_CA_FILE points to ${caFile}, which cannot be read.` };
    }
  }
  if (!/^https:\/\//i.test(authority)) {
    return {
      name,
      status: "fail",
      message: `M365_AUTHORITY must be an https:// URL, but it is "${authority}".`,
    };
  }

  const discoveryUrl = `${authority}/v2.0/.well-known/openid-configuration`;
  let tokenEndpoint: string;
  try {
    const res = await httpsRequest(discoveryUrl, { ca, timeoutMs });
    if (res.status !== 200) {
      return {
        name,
        status: "fail",
        message: `Entra ID at ${authority} answered ${res.status} for its OpenID configuration: check M365_AUTHORITY (it ends with the tenant, e.g. https://login.microsoftonline.com/<tenant id>).`,
      };
    }
    const doc = z.object({ token_endpoint: z.string().min(1) }).safeParse(JSON.parse(res.body));
    if (!doc.success) {
      return {
        name,
        status: "fail",
        message: `Entra ID at ${authority} served an OpenID configuration without a token endpoint.`,
      };
    }
    tokenEndpoint = doc.data.token_endpoint;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const reason = networkReason(error);
    let message: string;
    if (TLS_TRUST_CODES.has(code))
      message = `Entra ID at ${authority} presents a certificate this machine does not trust (${code}). Set M365_CA_FILE to the CA that signed it (the simulator's is .coffer/sim/ca.pem).`;
    else if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
      message = `Entra ID at ${authority} presents a certificate for another host name: check M365_AUTHORITY.`;
    else if (reason) {
      // A loopback authority is the simulator, which `npm run stack` starts.
      const local = /^https:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]/i.test(authority);
      message = `Entra ID at ${authority} is not answering (${reason}).${local ? ` ${START_IT}` : ""}`;
    } else message = `Entra ID at ${authority} could not be checked: ${messageOf(error)}.`;
    return { name, status: "fail", message };
  }

  const clientId = env.M365_CLIENT_ID?.trim();
  const secret = env.M365_CLIENT_SECRET?.trim();
  if (!clientId || !secret) {
    const missing = !clientId ? "M365_CLIENT_ID" : "M365_CLIENT_SECRET";
    return {
      name,
      status: "warn",
      message: `Entra ID at ${authority} answers; no token was requested because ${missing} is not set.`,
    };
  }
  try {
    const res = await httpsRequest(tokenEndpoint, {
      method: "POST",
      ca,
      timeoutMs,
      form: {
        client_id: clientId,
        client_secret: secret,
        grant_type: "client_credentials",
        scope: GRAPH_SCOPE,
      },
    });
    const token =
      res.status === 200 ? (JSON.parse(res.body) as { access_token?: unknown }).access_token : undefined;
    if (typeof token !== "string" || !token) {
      const why = entraError(res.body) ?? `HTTP ${res.status}`;
      return {
        name,
        status: "fail",
        message: `Entra ID at ${authority} refused an app token for client ${clientId}: ${why}. Check M365_CLIENT_ID and M365_CLIENT_SECRET.`,
      };
    }
  } catch (error) {
    const reason = networkReason(error) ?? messageOf(error);
    return {
      name,
      status: "fail",
      message: `The token endpoint ${tokenEndpoint} is not answering (${reason}).`,
    };
  }
  if (!section.ok) {
    return {
      name,
      status: "warn",
      message: `Entra ID at ${authority} answers and issues app tokens, but: ${section.problems.join(" ")}`,
    };
  }
  return {
    name,
    status: "ok",
    message: `Entra ID at ${authority} answers and issued an app token to client ${clientId} (Graph at ${section.value.M365_GRAPH_URL}).`,
  };
}

/** The nearest existing folder at or above `dir` (the blob folder is created on first write). */
function nearestExisting(dir: string): string {
  let d = dir;
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

export function checkStorage(env: Env): CheckResult {
  const name = "Storage";
  const s = checkSection("storage", env);
  if (!s.ok) return { name, status: "fail", message: s.problems.join(" ") };
  const { blobDir, keySource } = s.value;
  const existing = nearestExisting(blobDir);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    return { name, status: "fail", message: `The blob folder ${blobDir} is not writable by this user.` };
  }
  const where = existing === blobDir ? blobDir : `${blobDir} (created on first write)`;
  return { name, status: "ok", message: `blobs in ${where}; encryption key from ${keySource}.` };
}

/** Runs every check (in parallel; each has its own timeout) and returns them in a fixed order. */
export async function runDoctor(env: Env = loadSettingsEnv(), timeoutMs = 5000): Promise<CheckResult[]> {
  return Promise.all([
    checkPostgres(env, timeoutMs),
    checkRedis(env, timeoutMs),
    checkMicrosoft365(env, timeoutMs),
    Promise.resolve(checkStorage(env)),
  ]);
}

export function formatChecks(checks: readonly CheckResult[]): string[] {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map(
    (c) => `${c.status.toUpperCase().padEnd(4)}  ${c.name.padEnd(width)}  ${c.message}`,
  );
  const failed = checks.filter((c) => c.status === "fail");
  const warned = checks.filter((c) => c.status === "warn");
  if (failed.length > 0) {
    lines.push(
      `${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(", ")}): Coffer cannot work until they pass.`,
    );
  } else {
    const note = warned.length ? ` (${warned.length} warning${warned.length === 1 ? "" : "s"})` : "";
    lines.push(`All ${checks.length} checks passed${note}.`);
  }
  return lines;
}

export const doctor = defineCommand({
  name: "doctor",
  summary: "check PostgreSQL, Redis, Microsoft 365 (Entra ID + Graph) and storage",
  description:
    "Checks that PostgreSQL answers and is migrated, Redis answers PING, Entra ID serves its OpenID " +
    "configuration and issues an app token, and the blob folder and encryption key are usable.\n" +
    "Exits with 1 when a check fails; warnings (something optional not configured) do not fail.",
  configure: (cmd) => cmd.option("--timeout <seconds>", "how long each check may wait", "5"),
  options: z.object({
    timeout: z.coerce.number({ error: "--timeout must be a number of seconds" }).positive(),
  }),
  async run({ options, io }) {
    const checks = await runDoctor(loadSettingsEnv(), options.timeout * 1000);
    for (const line of formatChecks(checks)) io.say(line);
    const ok = !checks.some((c) => c.status === "fail");
    return { json: { ok, checks }, exitCode: ok ? 0 : 1 };
  },
});
