import "server-only";
import { inspectDatabase } from "@coffer/db/health";
import { z } from "zod";
import { portalEnv } from "@/lib/env";

export type TDatabaseCheck =
  | { status: "ok"; schema: "current" }
  | { status: "degraded"; schema: "migrations-pending" | "newer-than-code"; detail: string }
  | { status: "unavailable"; reason: string };

export type THealthReport = {
  /** "ok" only when every check is ok; the worst check wins otherwise. */
  status: "ok" | "degraded" | "unavailable";
  checkedAt: string;
  checks: { database: TDatabaseCheck };
};

// A health check must answer quickly even when PostgreSQL is a black hole.
const DB_TIMEOUT_MS = 3000;

/**
 * Says in words why PostgreSQL could not be used, without echoing the URL (it may hold a password and
 * this endpoint is public). The full error goes to the server log.
 */
function describeDbError(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((issue) => issue.message).join("; ");
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : "";
  switch (code) {
    case "ECONNREFUSED":
      return "PostgreSQL refused the connection: is it running?";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "The PostgreSQL host name does not resolve.";
    case "28P01":
    case "28000":
      return "PostgreSQL rejected the credentials.";
    case "3D000":
      return "The configured database does not exist.";
    case "57P03":
      return "PostgreSQL is starting up or shutting down.";
  }
  if (/timeout/i.test(message)) return `PostgreSQL did not answer within ${DB_TIMEOUT_MS / 1000} s.`;
  return "PostgreSQL could not be reached.";
}

async function checkDatabase(): Promise<TDatabaseCheck> {
  try {
    const db = await inspectDatabase(portalEnv().DATABASE_URL, DB_TIMEOUT_MS);
    if (db.unknown.length > 0) {
      return {
        status: "degraded",
        schema: "newer-than-code",
        detail: `The database has ${db.unknown.length} migration(s) this portal does not know; upgrade the portal.`,
      };
    }
    if (db.pending.length > 0) {
      return {
        status: "degraded",
        schema: "migrations-pending",
        detail: `${db.pending.length} migration(s) not applied yet: run \`npm run db:migrate\`.`,
      };
    }
    return { status: "ok", schema: "current" };
  } catch (error) {
    console.error("health: database check failed", error);
    return { status: "unavailable", reason: describeDbError(error) };
  }
}

const RANK = { ok: 0, degraded: 1, unavailable: 2 } as const;

/** Runs every check; used by GET /api/health and the status page. */
export async function checkHealth(now: () => Date = () => new Date()): Promise<THealthReport> {
  const database = await checkDatabase();
  const status = [database.status].reduce<THealthReport["status"]>(
    (worst, s) => (RANK[s] > RANK[worst] ? s : worst),
    "ok",
  );
  return { status, checkedAt: now().toISOString(), checks: { database } };
}
