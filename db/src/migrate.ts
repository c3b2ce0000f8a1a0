import { type Kysely, type MigrationResultSet, Migrator } from "kysely";
import { migrations } from "./migrations/index";

/**
 * Applies every pending migration. Like Kysely's `Migrator.migrateToLatest`, it never throws: the caller
 * checks `error` (migrate-cli.ts logs each result and exits non-zero).
 */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  return migrator.migrateToLatest();
}
