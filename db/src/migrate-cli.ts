import { createDb } from "./client";
import { migrateToLatest } from "./migrate";

// `npm run db:migrate`: applies pending migrations, logs each, exits non-zero on failure.
const db = createDb();
try {
  const { error, results } = await migrateToLatest(db);
  for (const r of results ?? []) {
    console.log(`${r.status === "Success" ? "applied" : r.status.toLowerCase()}: ${r.migrationName}`);
  }
  if (error) {
    console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } else if (!results?.length) {
    console.log("database is up to date");
  }
} finally {
  await db.destroy();
}
