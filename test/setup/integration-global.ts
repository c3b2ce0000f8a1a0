import { randomBytes } from "node:crypto";
import { createDb } from "@coffer/db/client";
import { migrateToLatest } from "@coffer/db/migrate";
import { loadSettingsEnv } from "@coffer/db/settings";
import { Redis } from "ioredis";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { isLoopbackUrl } from "./loopback";
import "./provided";

/**
 * Vitest global setup of the integration project. Uses the stack's services (`.coffer/env`, or
 * DATABASE_URL / REDIS_URL from the environment) but only on this machine: tests create and drop
 * databases and delete keys, which must never happen to a server someone else relies on.
 *
 * Creates `coffer_it_<random>` on the stack's PostgreSQL, migrates it, hands its URL to the tests, and
 * drops it (and the run's Redis keys) at the end.
 */

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED") return "connection refused";
  return error instanceof Error ? error.message : String(error);
}

/**
 * Drops test databases of runs that were killed before their teardown (older than a day, so never one a
 * parallel run is using). Their age is that of the database's folder; reading it needs a superuser,
 * which the stack's `postgres` is. Elsewhere this is skipped.
 */
async function dropAbandoned(admin: pg.Client): Promise<void> {
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database
        WHERE datname LIKE 'coffer\\_it\\_%'
          AND (pg_stat_file('base/' || oid || '/PG_VERSION')).modification < now() - interval '1 day'`,
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } catch {
    // not a superuser: leftovers stay until someone drops them
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = loadSettingsEnv();
  const baseUrl = env.DATABASE_URL;
  const redisUrl = env.REDIS_URL;
  if (!baseUrl || !redisUrl) {
    throw new Error(
      "Integration tests need the stack's PostgreSQL and Redis, but DATABASE_URL or REDIS_URL is not set. " +
        "Run `npm run stack` first (`npm test` does).",
    );
  }
  for (const [key, url] of [
    ["DATABASE_URL", baseUrl],
    ["REDIS_URL", redisUrl],
  ] as const) {
    if (!isLoopbackUrl(url)) {
      throw new Error(
        `Integration tests only run against services on this machine, but ${key} points elsewhere (${new URL(url).host}). ` +
          "Unset it to use the stack's.",
      );
    }
  }

  const runId = randomBytes(5).toString("hex");
  const database = `coffer_it_${runId}`;
  const adminUrl = withDatabase(baseUrl, "postgres");
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(
      `Integration tests cannot reach PostgreSQL at ${new URL(baseUrl).host} (${reason(e)}). Run \`npm run stack\`.`,
    );
  }
  try {
    await dropAbandoned(admin);
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const databaseUrl = withDatabase(baseUrl, database);
  const db = createDb(databaseUrl, 2);
  try {
    const { error } = await migrateToLatest(db as never);
    if (error) throw error instanceof Error ? error : new Error(String(error));
  } finally {
    await db.destroy();
  }

  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(
      `Integration tests cannot reach Redis at ${redisUrl} (${reason(e)}). Run \`npm run stack\`.`,
    );
  }

  const redisPrefix = `coffer-it:${runId}`;
  project.provide("databaseUrl", databaseUrl);
  project.provide("redisUrl", redisUrl);
  project.provide("redisPrefix", redisPrefix);
  project.provide("runId", runId);

  return async () => {
    // Leftover keys of this run only; other runs (other engineers', parallel) have their own prefix.
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${redisPrefix}:*`, "COUNT", 500);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== "0");
    redis.disconnect();

    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    try {
      await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    } finally {
      await dropper.end();
    }
  };
}
