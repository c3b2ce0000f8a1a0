import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { dbConfig } from "./config";
import type { DB } from "./schema";

// pg returns int8 as string by default; our bigints (sizes, counters) fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = Kysely<DB>;

export function createDb(url: string = dbConfig().DATABASE_URL, max = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client's error (server restarted) must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
