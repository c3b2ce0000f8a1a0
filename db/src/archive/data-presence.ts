import { sql } from "kysely";
import { DATA_TYPES, type DataType } from "../schema";
import type { DbOrTrx } from "../transaction";

/**
 * Which data types a mailbox has anything archived for at `at` (default now): an item valid then, or for
 * mail also a folder (an empty mail folder tree is still something to browse; an empty default calendar,
 * contact folder, task list or notes folder exists in every mailbox and is not "data"). The portal's snapshot view uses it to tell "sync is on but this mailbox has no <type> data" from a
 * section with content (seed 000). One query; each EXISTS stops at the first row it finds through the
 * (mailbox_id, data_type, valid_from) indexes, so a 100,000-message mailbox costs what an empty one does.
 */
export async function getArchivedDataTypes(
  db: DbOrTrx,
  mailboxId: string,
  at?: Date,
): Promise<Record<DataType, boolean>> {
  const t = at ?? sql`now()`;
  const { rows } = await sql<{ data_type: DataType; present: boolean }>`
    SELECT dt AS data_type,
      EXISTS (SELECT 1 FROM item_versions i WHERE i.mailbox_id = ${mailboxId} AND i.data_type = dt
        AND i.valid_from <= ${t} AND (i.valid_to IS NULL OR i.valid_to > ${t}))
      OR (dt = 'mail' AND EXISTS (SELECT 1 FROM folder_versions f WHERE f.mailbox_id = ${mailboxId} AND f.data_type = dt
        AND f.valid_from <= ${t} AND (f.valid_to IS NULL OR f.valid_to > ${t}))) AS present
    FROM unnest(${[...DATA_TYPES]}::text[]) AS dt`.execute(db);
  const out = Object.fromEntries(DATA_TYPES.map((d) => [d, false])) as Record<DataType, boolean>;
  for (const r of rows) out[r.data_type] = r.present;
  return out;
}
