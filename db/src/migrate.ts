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
    // Engineers add migrations in parallel under their own number ranges (0001 core, 01NN storage layer,
    // 02NN archive engine, …), so a database may already hold a later-numbered one when an earlier-numbered
    // one lands. Each migration must therefore stand on its own, not on the ones numbered just before it.
    allowUnorderedMigrations: true,
  });
  return migrator.migrateToLatest();
}
