import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaColumns } from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing/test-database";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

type DbColumn = {
  table_name: string;
  column_name: string;
  udt_name: string;
  is_nullable: string;
  has_default: boolean;
};

describe("schema.ts", () => {
  it("lists exactly the tables and columns of the migrated database, with their types", async () => {
    const { rows } = await sql<DbColumn>`
      SELECT table_name, column_name, udt_name, is_nullable, (column_default IS NOT NULL) AS has_default
      FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_migration%'
      ORDER BY table_name, ordinal_position`.execute(t.db);

    const fromDb = rows.map((c) => ({
      column: `${c.table_name}.${c.column_name}`,
      type: c.udt_name,
      nullable: c.is_nullable === "YES",
      hasDefault: c.has_default,
    }));
    const fromSchema = Object.entries(schemaColumns).flatMap(([table, columns]) =>
      Object.entries(columns).map(([column, spec]) => ({ column: `${table}.${column}`, ...spec })),
    );
    const byColumn = (a: { column: string }, b: { column: string }) => a.column.localeCompare(b.column);

    // One toEqual over sorted lists: a failure shows exactly which column differs and how.
    expect(fromSchema.sort(byColumn)).toEqual(fromDb.sort(byColumn));
  });
});
