import type { Migration } from "kysely";
import * as m0001 from "./2026_11_21_0001_core_schema";
import * as m0101 from "./2026_11_21_0101_mailbox_upn_reuse";
import * as m0102 from "./2026_11_21_0102_blob_packs";
import * as m0201 from "./2026_11_21_0201_archive_sync";
import * as m0401 from "./2026_11_21_0401_pim_parts";
import * as m0501 from "./2026_11_21_0501_retention_purge";

/**
 * Every migration, in order. A static list (not a folder scan) so migrations run the same under tsx,
 * bundlers and tests. Add new files here; never edit or reorder an existing entry.
 */
export const migrations: Record<string, Migration> = {
  "2026_11_21_0001_core_schema": m0001,
  "2026_11_21_0101_mailbox_upn_reuse": m0101,
  "2026_11_21_0201_archive_sync": m0201,
  "2026_11_21_0501_retention_purge": m0501,
  "2026_11_21_0401_pim_parts": m0401,
  "2026_11_21_0102_blob_packs": m0102,
};
