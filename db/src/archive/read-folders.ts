import { sql } from "kysely";
import type { DataType } from "../schema";
import type { DbOrTrx } from "../transaction";

/** One folder of an archived mailbox as it was at a point in time. */
export type TArchiveFolder = {
  graphId: string;
  parentGraphId: string | null;
  displayName: string;
  /** Names from the top folder down, joined with "/" (e.g. "Inbox/Projects/2026"). */
  path: string;
  depth: number;
  isHidden: boolean;
  /** Full View only: the folder no longer existed at the point in time (deleted earlier). */
  isDeleted: boolean;
  validFrom: Date;
  validTo: Date | null;
  /** Messages in the folder at that time (Full View: also those since deleted or moved away). */
  itemCount?: number;
};

export type TFolderTreeOptions = {
  /** The point in time; default now. */
  at?: Date;
  /** Full View: also folders deleted before `at`, each with its last name and place. */
  fullView?: boolean;
  withCounts?: boolean;
  dataType?: DataType;
};

type TFolderRow = {
  graph_id: string;
  parent_graph_id: string | null;
  display_name: string;
  is_hidden: boolean;
  valid_from: Date;
  valid_to: Date | null;
  is_deleted: boolean;
};

/**
 * The folder tree of a mailbox at `at` (default now), with paths, ordered by path.
 * A folder whose parent is not an archived folder is a top folder (the parent is the mailbox root,
 * `msgfolderroot`, which Graph's hierarchy delta does not return).
 */
export async function getFolderTree(
  db: DbOrTrx,
  mailboxId: string,
  opts: TFolderTreeOptions = {},
): Promise<TArchiveFolder[]> {
  const dataType = opts.dataType ?? "mail";
  const at = opts.at;
  const rows = opts.fullView
    ? (
        await sql<TFolderRow>`
          SELECT DISTINCT ON (graph_id) graph_id, parent_graph_id, display_name, is_hidden, valid_from, valid_to,
            NOT (valid_to IS NULL OR valid_to > ${at ?? sql`now()`}) AS is_deleted
          FROM folder_versions
          WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND valid_from <= ${at ?? sql`now()`}
          ORDER BY graph_id, valid_from DESC, id DESC`.execute(db)
      ).rows
    : (
        await sql<TFolderRow>`
          SELECT graph_id, parent_graph_id, display_name, is_hidden, valid_from, valid_to, false AS is_deleted
          FROM folder_versions
          WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND ${validAt("folder_versions", at)}`.execute(
          db,
        )
      ).rows;

  const byId = new Map(rows.map((r) => [r.graph_id, r]));
  const paths = new Map<string, { path: string; depth: number }>();
  const resolve = (id: string, guard: number): { path: string; depth: number } => {
    const known = paths.get(id);
    if (known) return known;
    const row = byId.get(id)!;
    const parent = row.parent_graph_id ? byId.get(row.parent_graph_id) : undefined;
    // guard: a cycle can only come from inconsistent source data; cut it rather than loop.
    const result =
      parent && guard < 64
        ? (() => {
            const p = resolve(parent.graph_id, guard + 1);
            return { path: `${p.path}/${row.display_name}`, depth: p.depth + 1 };
          })()
        : { path: row.display_name, depth: 0 };
    paths.set(id, result);
    return result;
  };

  const counts = opts.withCounts
    ? await countItemsByFolder(db, mailboxId, dataType, at, !!opts.fullView)
    : undefined;
  const folders = rows.map((r): TArchiveFolder => {
    const { path, depth } = resolve(r.graph_id, 0);
    const f: TArchiveFolder = {
      graphId: r.graph_id,
      parentGraphId: r.parent_graph_id,
      displayName: r.display_name,
      path,
      depth,
      isHidden: r.is_hidden,
      isDeleted: r.is_deleted,
      validFrom: r.valid_from,
      validTo: r.valid_to,
    };
    if (counts) f.itemCount = counts.get(r.graph_id) ?? 0;
    return f;
  });
  return folders.sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.graphId.localeCompare(b.graphId),
  );
}

async function countItemsByFolder(
  db: DbOrTrx,
  mailboxId: string,
  dataType: DataType,
  at: Date | undefined,
  fullView: boolean,
): Promise<Map<string, number>> {
  const { rows } = fullView
    ? await sql<{ folder_graph_id: string; n: number }>`
        SELECT folder_graph_id, count(DISTINCT graph_id)::int AS n FROM item_versions
        WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND valid_from <= ${at ?? sql`now()`}
        GROUP BY folder_graph_id`.execute(db)
    : await sql<{ folder_graph_id: string; n: number }>`
        SELECT folder_graph_id, count(*)::int AS n FROM item_versions
        WHERE mailbox_id = ${mailboxId} AND data_type = ${dataType} AND ${validAt("item_versions", at)}
        GROUP BY folder_graph_id`.execute(db);
  return new Map(rows.map((r) => [r.folder_graph_id, r.n]));
}

/**
 * Folder ids matching user input: a folder id, a path ("Inbox/Projects") or a display name, case-insensitive,
 * among the folders at `at` (Full View: all folders ever).
 */
export async function resolveFolders(
  db: DbOrTrx,
  mailboxId: string,
  refs: readonly string[],
  opts: TFolderTreeOptions = {},
): Promise<string[]> {
  if (refs.length === 0) return [];
  const tree = await getFolderTree(db, mailboxId, { ...opts, fullView: opts.fullView ?? true });
  const out = new Set<string>();
  for (const ref of refs) {
    const needle = ref
      .trim()
      .replace(/^\/+|\/+$/g, "")
      .toLowerCase();
    for (const f of tree) {
      if (f.graphId === ref || f.path.toLowerCase() === needle || f.displayName.toLowerCase() === needle) {
        out.add(f.graphId);
      }
    }
  }
  return [...out];
}

/**
 * "Valid at T" for a history table: `valid_from <= T AND (valid_to IS NULL OR valid_to > T)`; without T,
 * the current rows (`valid_to IS NULL`), which the partial unique indexes serve directly.
 */
export function validAt(table: string, at: Date | undefined) {
  const t = sql.ref(table);
  return at
    ? sql<boolean>`(${t}.valid_from <= ${at} AND (${t}.valid_to IS NULL OR ${t}.valid_to > ${at}))`
    : sql<boolean>`${t}.valid_to IS NULL`;
}
