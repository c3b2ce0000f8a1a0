import { randomBytes } from "node:crypto";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { createDb, type Db } from "../client";
import { migrateToLatest } from "../migrate";
import { loadSettingsEnv } from "../settings";

/**
 * A throwaway, migrated database for one integration test file: `coffer_dbtest_<random>` on the server of
 * DATABASE_URL (the stack's Postgres, 127.0.0.1:55432 by default), dropped again by `drop()`.
 *
 * Kept small on purpose: when the shared Vitest global setup provides a per-run database, test files can
 * switch to it; per-file databases stay useful for tests that must not see each other's rows.
 */
export type TestDatabase = { db: Db; url: string; name: string; drop: () => Promise<void> };

const FALLBACK_URL = "postgres://postgres@127.0.0.1:55432/postgres";

export async function createTestDatabase(prefix = "coffer_dbtest"): Promise<TestDatabase> {
  const base = new URL(loadSettingsEnv().DATABASE_URL ?? FALLBACK_URL);
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const adminUrl = withDatabase(base, "postgres");
  const admin = adminDb(adminUrl);
  try {
    await sql.raw(`CREATE DATABASE "${name}"`).execute(admin);
  } finally {
    await admin.destroy();
  }

  const url = withDatabase(base, name);
  const db = createDb(url, 4);
  const { error } = await migrateToLatest(db);
  if (error) {
    await db.destroy();
    await dropDatabase(adminUrl, name);
    throw error instanceof Error ? error : new Error(String(error));
  }

  return {
    db,
    url,
    name,
    drop: async () => {
      await db.destroy();
      await dropDatabase(adminUrl, name);
    },
  };
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = adminDb(adminUrl);
  try {
    // FORCE: a test that failed half-way may leave a connection behind (PostgreSQL 13+).
    await sql.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).execute(admin);
  } finally {
    await admin.destroy();
  }
}

function withDatabase(base: URL, database: string): string {
  const url = new URL(base.toString());
  url.pathname = `/${database}`;
  return url.toString();
}

// CREATE/DROP DATABASE take no bind parameters (hence sql.raw); names are generated here, never user input.
function adminDb(url: string): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
  });
}
