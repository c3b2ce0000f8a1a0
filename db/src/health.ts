import { Kysely, Migrator, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { migrations } from "./migrations/index";

/** What `coffer doctor` needs to know about a database: does it answer, and is its schema current. */
export type DatabaseHealth = {
  serverVersion: string;
  database: string;
  applied: string[];
  pending: string[];
  /** Migrations recorded in the database that this code does not know (the database is newer). */
  unknown: string[];
};

/**
 * Connects once (with a short timeout, so a dead server is reported quickly rather than hanging),
 * reads the server version and compares the applied migrations with the code's list. Connection and
 * query errors are thrown as they come from `pg` (with their `code`), for the caller to put into words.
 */
export async function inspectDatabase(url: string, timeoutMs = 5000): Promise<DatabaseHealth> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: timeoutMs });
  pool.on("error", () => {});
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    const { rows } = await sql<{
      version: string;
      database: string;
    }>`SELECT current_setting('server_version') AS version, current_database() AS database`.execute(db);
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const known = await migrator.getMigrations();
    // A database that was never migrated has no kysely_migration table (42P01): nothing is recorded.
    const { rows: recorded } = await sql<{ name: string }>`SELECT name FROM kysely_migration`
      .execute(db)
      .catch((e: { code?: string }) => {
        if (e.code === "42P01") return { rows: [] as { name: string }[] };
        throw e;
      });
    const knownNames = new Set(known.map((m) => m.name));
    return {
      serverVersion: rows[0]?.version?.split(" ")[0] ?? "unknown",
      database: rows[0]?.database ?? "unknown",
      applied: known.filter((m) => m.executedAt).map((m) => m.name),
      pending: known.filter((m) => !m.executedAt).map((m) => m.name),
      unknown: recorded.map((r) => r.name).filter((n) => !knownNames.has(n)),
    };
  } finally {
    await db.destroy();
  }
}
