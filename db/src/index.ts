/**
 * @coffer/db — the storage layer: Kysely on PostgreSQL, the migrations, one query module per aggregate
 * (each function takes the database or a transaction first and returns rows), and the blob store.
 * Deeper imports work too: `@coffer/db/blobs/store`, `@coffer/db/mailboxes/mailboxes`, ….
 */
export * from "./access/delegates";
export * from "./audit/audit-log";
export * from "./blobs/index";
export { createDb, type Db } from "./client";
export { dbConfig, type TDbConfig } from "./config";
export * from "./mailboxes/mailboxes";
export { migrateToLatest } from "./migrate";
export * from "./retention/legal-holds";
export * from "./retention/retention-policies";
export * from "./schema";
export * from "./tasks/definitions";
export * from "./tasks/schedules";
export * from "./tasks/sites";
export * from "./tasks/task-runs";
export * from "./tasks/tasks";
export { type DbOrTrx, inTransaction } from "./transaction";
