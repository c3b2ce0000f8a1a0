import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import "./provided";

/**
 * An extra, empty database on the run's PostgreSQL server, for a test that needs one in a particular
 * state (say, never migrated). Named after the run's database so leftovers are recognisable.
 */
export async function createScratchDatabase(): Promise<{
  url: string;
  name: string;
  drop: () => Promise<void>;
}> {
  const base = new URL(inject("databaseUrl"));
  const name = `${base.pathname.slice(1)}_${randomBytes(3).toString("hex")}`;
  const admin = new URL(base);
  admin.pathname = "/postgres";
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
