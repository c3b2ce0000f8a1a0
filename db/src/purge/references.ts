import { type RawBuilder, sql } from "kysely";
import type { DbOrTrx } from "../transaction";

/**
 * What may refer to a blob. Read from the catalog rather than listed here, so that a table added later by
 * another feature (attachments of tasks, say) with a foreign key to `blobs` or `contents` is respected by
 * the purge without anyone remembering to tell it: a blob is garbage only when no such column holds its
 * sha256. (`contents` itself is not a reference: it is what was extracted from the blob, and goes with it.)
 *
 * A reference kept anywhere else (an id inside JSON) is invisible to the purge: store blob references in a
 * column with a foreign key.
 */
export type TBlobReference = { table: string; column: string };

export async function findBlobReferences(db: DbOrTrx): Promise<TBlobReference[]> {
  const { rows } = await sql<{ tbl: string; col: string }>`
    SELECT c.conrelid::regclass::text AS tbl, a.attname AS col
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
      AND c.confrelid IN ('blobs'::regclass, 'contents'::regclass)
      AND NOT (c.conrelid = 'contents'::regclass AND c.confrelid = 'blobs'::regclass)
    ORDER BY 1, 2`.execute(db);
  return rows.map((r) => ({ table: r.tbl, column: r.col }));
}

/** `TRUE` when some reference column holds `sha256` (an SQL expression, e.g. `b.sha256`). */
export function isReferencedSql(
  refs: readonly TBlobReference[],
  sha256: RawBuilder<unknown>,
): RawBuilder<boolean> {
  if (refs.length === 0) return sql<boolean>`false`;
  // regclass::text is already quoted where needed (and schema-qualified when not on the search path).
  const checks = refs.map(
    (r, i) =>
      sql`EXISTS (SELECT 1 FROM ${sql.raw(r.table)} ${sql.id(`ref${i}`)} WHERE ${sql.ref(`ref${i}.${r.column}`)} = ${sha256})`,
  );
  return sql<boolean>`(${sql.join(checks, sql` OR `)})`;
}

/**
 * Tables whose rows belong to an item version (a foreign key to `item_versions`, cascading) and hold a
 * blob (a foreign key to `blobs`): the attachments of a task, say. Deleting a version deletes these rows
 * by cascade, so the purge queues their blobs as candidates first.
 */
export type TVersionPartRef = { table: string; versionColumn: string; blobColumn: string };

export async function findVersionPartRefs(db: DbOrTrx): Promise<TVersionPartRef[]> {
  const { rows } = await sql<{ tbl: string; vcol: string; bcol: string }>`
    SELECT v.conrelid::regclass::text AS tbl, va.attname AS vcol, ba.attname AS bcol
    FROM pg_constraint v
    JOIN pg_attribute va ON va.attrelid = v.conrelid AND va.attnum = v.conkey[1]
    JOIN pg_constraint b ON b.conrelid = v.conrelid AND b.contype = 'f' AND cardinality(b.conkey) = 1
      AND b.confrelid = 'blobs'::regclass
    JOIN pg_attribute ba ON ba.attrelid = b.conrelid AND ba.attnum = b.conkey[1]
    WHERE v.contype = 'f' AND cardinality(v.conkey) = 1 AND v.confrelid = 'item_versions'::regclass
    ORDER BY 1, 2, 3`.execute(db);
  return rows.map((r) => ({ table: r.tbl, versionColumn: r.vcol, blobColumn: r.bcol }));
}
