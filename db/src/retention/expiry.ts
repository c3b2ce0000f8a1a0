import { sql } from "kysely";
import { DATA_TYPES, type DataType } from "../schema";
import type { DbOrTrx } from "../transaction";

/**
 * When archived data expires — the one rule shared by the policy preview, the purge and its dry run.
 *
 * A data type's rule in force is `sync on/off` and `retention days` (the effective rule: a customer policy
 * before the default one). With sync on, the cutoff is `now − retention days` (days of exactly 24 hours,
 * in UTC); with sync off, everything of the type is expired (seed 000: "Turning off a data type will not
 * only stop future syncs but also remove any existing data in the archive for that type").
 *
 * A version's **retention anchor** is compared with the cutoff:
 * - a closed version (deleted, moved away, changed; `valid_to` set) is anchored at `valid_to`: the archive
 *   keeps what a mailbox looked like, and what was deleted from it, for the retention period after it
 *   stopped being so. A message deleted yesterday stays recoverable for the whole period, however old it is.
 * - a current version is anchored at the item's `received_at` (mail: when it was received; the other data
 *   types' engines set it to the item's creation time where Graph has one), else at its `valid_from`: like
 *   a classic archive retention, an item still in the mailbox but received longer ago than the period
 *   expires too ("reducing the retention period … will result in existing data older than this period
 *   being removed from the archive").
 * - when a current version expires, the item leaves the archive as a whole: its older (closed) versions
 *   go with it, even if they were closed within the period. Otherwise a message received 8 years ago and
 *   marked read yesterday would, under a 7-year rule, seem to have been deleted yesterday.
 * - folders: closed folder versions expire by `valid_to`; current folders stay (they hold no content)
 *   unless the type is turned off.
 * - nothing of a mailbox under an active legal hold expires while the hold lasts.
 *
 * The anchor is indexed (`item_versions_expiry`, migration 0501): `coalesce(valid_to, received_at,
 * valid_from)`. Keep this expression and the index's in step.
 */

export type TExpiryRule = {
  dataType: DataType;
  syncEnabled: boolean;
  retentionDays: number;
  /** Versions anchored before this are expired; null when sync is off (everything of the type is). */
  cutoff: Date | null;
  /** The policy the rule comes from. */
  policyName: string;
};

const DAY_MS = 86_400_000;

export function cutoffFor(retentionDays: number, now: Date): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Rules in force (as `getEffectiveRules` returns them) with their cutoffs at `now`. */
export function toExpiryRules(
  rules: ReadonlyArray<{
    data_type: DataType;
    sync_enabled: boolean;
    retention_days: number;
    policy_name: string;
  }>,
  now: Date,
): TExpiryRule[] {
  return rules.map((r) => ({
    dataType: r.data_type,
    syncEnabled: r.sync_enabled,
    retentionDays: r.retention_days,
    cutoff: r.sync_enabled ? cutoffFor(r.retention_days, now) : null,
    policyName: r.policy_name,
  }));
}

/** The SQL of a version's retention anchor (see above; matches the `item_versions_expiry` index). */
export const ANCHOR_SQL = "coalesce(valid_to, received_at, valid_from)";

/** Rules as three parallel arrays for `unnest` (a cutoff of 'infinity' when sync is off). */
export function rulesParams(rules: readonly TExpiryRule[]) {
  return {
    types: rules.map((r) => r.dataType),
    cutoffs: rules.map((r) => (r.cutoff ? r.cutoff.toISOString() : "infinity")),
    offs: rules.map((r) => r.cutoff === null),
  };
}

export type TExpiryCounts = {
  /** Items that leave the archive entirely (their latest version expires). */
  items: number;
  /** History rows (item versions) deleted; several per item when it was moved or changed. */
  versions: number;
  /** Folder history rows deleted. */
  folders: number;
  /** Archived size of what is deleted, each item's distinct contents counted once per mailbox. */
  bytes: number;
  /** Mailboxes that lose something. */
  mailboxes: number;
};

export type TTypeExpiry = {
  dataType: DataType;
  toDelete: TExpiryCounts & {
    /** Distinct stored contents no archived item refers to any more afterwards. */
    contents: number;
    /** Their stored (compressed, encrypted) size: the storage the purge gives back. */
    storageFreedBytes: number;
  };
  /** What the rule would delete but an active legal hold keeps. */
  protectedByHold: TExpiryCounts;
};

export type TExpiryReport = {
  types: TTypeExpiry[];
  totals: { toDelete: TTypeExpiry["toDelete"]; protectedByHold: TExpiryCounts };
};

const zero = (): TExpiryCounts => ({ items: 0, versions: 0, folders: 0, bytes: 0, mailboxes: 0 });

/**
 * Exactly what the rules make expire now, per data type: what the purge will delete and what legal holds
 * keep. Read-only; one statement (consistent), walking each mailbox's expired rows through the expiry
 * indexes, so its cost follows what is expired rather than the archive's size.
 */
export async function countExpired(
  db: DbOrTrx,
  rules: readonly TExpiryRule[],
  scope: { mailboxId?: string } = {},
): Promise<TExpiryReport> {
  const types = rules.map((r) => r.dataType);
  const out: TExpiryReport = {
    types: types.map((dataType) => ({
      dataType,
      toDelete: { ...zero(), contents: 0, storageFreedBytes: 0 },
      protectedByHold: zero(),
    })),
    totals: { toDelete: { ...zero(), contents: 0, storageFreedBytes: 0 }, protectedByHold: zero() },
  };
  if (rules.length === 0) return out;
  const p = rulesParams(rules);
  const mailboxFilter = scope.mailboxId ? sql`WHERE id = ${scope.mailboxId}` : sql``;
  const { rows } = await sql<{
    kind: "versions" | "bytes" | "folders" | "mailboxes" | "freed";
    data_type: DataType | null;
    is_held: boolean;
    n: number;
    items: number;
    bytes: number;
    stored: number;
  }>`
    WITH r AS (
      SELECT * FROM unnest(${p.types}::text[], ${p.cutoffs}::timestamptz[], ${p.offs}::bool[])
        AS r(data_type, cutoff, is_off)
    ),
    held AS (SELECT DISTINCT mailbox_id FROM legal_holds WHERE released_at IS NULL),
    mb AS (SELECT id FROM mailboxes ${mailboxFilter}),
    direct AS MATERIALIZED (
      SELECT x.* FROM mb CROSS JOIN r CROSS JOIN LATERAL (
        SELECT v.id, v.mailbox_id, v.data_type, v.graph_id, v.sha256, v.size, v.valid_from, v.valid_to
        FROM item_versions v
        WHERE v.mailbox_id = mb.id AND v.data_type = r.data_type
          AND coalesce(v.valid_to, v.received_at, v.valid_from) < r.cutoff
      ) x
    ),
    doomed AS MATERIALIZED (
      SELECT * FROM direct
      UNION
      SELECT v.id, v.mailbox_id, v.data_type, v.graph_id, v.sha256, v.size, v.valid_from, v.valid_to
      FROM direct d JOIN item_versions v ON v.mailbox_id = d.mailbox_id AND v.data_type = d.data_type
        AND v.graph_id = d.graph_id
      WHERE d.valid_to IS NULL
    ),
    flagged AS MATERIALIZED (
      SELECT d.*,
        EXISTS (SELECT 1 FROM held h WHERE h.mailbox_id = d.mailbox_id) AS is_held,
        NOT EXISTS (SELECT 1 FROM item_versions later WHERE later.mailbox_id = d.mailbox_id
          AND later.data_type = d.data_type AND later.graph_id = d.graph_id
          AND later.valid_from > d.valid_from) AS is_latest
      FROM doomed d
    ),
    folders AS MATERIALIZED (
      SELECT f.mailbox_id, f.data_type, EXISTS (SELECT 1 FROM held h WHERE h.mailbox_id = f.mailbox_id) AS is_held
      FROM mb CROSS JOIN r CROSS JOIN LATERAL (
        SELECT fv.mailbox_id, fv.data_type FROM folder_versions fv
        WHERE fv.mailbox_id = mb.id AND fv.data_type = r.data_type AND (r.is_off OR fv.valid_to < r.cutoff)
      ) f
    ),
    freed AS (
      SELECT DISTINCT ON (g.sha256) g.sha256, g.data_type FROM flagged g
      WHERE NOT g.is_held
        AND NOT EXISTS (SELECT 1 FROM item_versions v WHERE v.sha256 = g.sha256
          AND NOT EXISTS (SELECT 1 FROM flagged k WHERE k.id = v.id AND NOT k.is_held))
      ORDER BY g.sha256, g.data_type
    )
    SELECT 'versions' AS kind, data_type, is_held, count(*)::bigint AS n,
      (count(*) FILTER (WHERE is_latest))::bigint AS items, 0::bigint AS bytes, 0::bigint AS stored
    FROM flagged GROUP BY data_type, is_held
    UNION ALL
    SELECT 'bytes', data_type, is_held, 0, 0, coalesce(sum(size), 0)::bigint, 0
    FROM (SELECT DISTINCT mailbox_id, data_type, graph_id, sha256, size, is_held FROM flagged) c
    GROUP BY data_type, is_held
    UNION ALL
    SELECT 'folders', data_type, is_held, count(*), 0, 0, 0 FROM folders GROUP BY data_type, is_held
    UNION ALL
    SELECT 'mailboxes', data_type, is_held, count(DISTINCT mailbox_id), 0, 0, 0
    FROM (SELECT mailbox_id, data_type, is_held FROM flagged UNION SELECT mailbox_id, data_type, is_held FROM folders) u
    GROUP BY GROUPING SETS ((data_type, is_held), (is_held))
    UNION ALL
    SELECT 'freed', f.data_type, false, count(*), 0, coalesce(sum(b.size), 0)::bigint,
      coalesce(sum(b.stored_size), 0)::bigint
    FROM freed f JOIN blobs b ON b.sha256 = f.sha256 GROUP BY f.data_type`.execute(db);

  const byType = new Map(out.types.map((t) => [t.dataType, t]));
  for (const row of rows) {
    const target = row.data_type ? byType.get(row.data_type) : undefined;
    const bucket = (t: TTypeExpiry | TExpiryReport["totals"]) =>
      row.is_held ? t.protectedByHold : t.toDelete;
    switch (row.kind) {
      case "versions":
        for (const b of [target && bucket(target), bucket(out.totals)]) {
          if (!b) continue;
          b.versions += row.n;
          b.items += row.items;
        }
        break;
      case "bytes":
        for (const b of [target && bucket(target), bucket(out.totals)]) if (b) b.bytes += row.bytes;
        break;
      case "folders":
        for (const b of [target && bucket(target), bucket(out.totals)]) if (b) b.folders += row.n;
        break;
      case "mailboxes":
        // The per-type rows, and one total row per side (data_type NULL) counting distinct mailboxes.
        if (row.data_type === null) bucket(out.totals).mailboxes = row.n;
        else if (target) bucket(target).mailboxes = row.n;
        break;
      case "freed":
        for (const b of [target?.toDelete, out.totals.toDelete]) {
          if (!b) continue;
          b.contents += row.n;
          b.storageFreedBytes += row.stored;
        }
        break;
    }
  }
  return out;
}

/** Orders anything keyed by data type the way the seed lists them. */
export function byDataTypeOrder<T extends { dataType: DataType }>(list: T[]): T[] {
  return list.sort((a, b) => DATA_TYPES.indexOf(a.dataType) - DATA_TYPES.indexOf(b.dataType));
}
