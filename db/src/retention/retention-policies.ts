import { sql } from "kysely";
import { z } from "zod";
import { DATA_TYPES, type DataType, type RetentionPolicyRow, type RetentionRuleRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";

/** The seeds' bounds: at least 1 day, at most 36,135 days (99 years); the default policy keeps 2,555. */
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 36_135;
export const DEFAULT_RETENTION_DAYS = 2_555;

export const ZRetentionRule = z.object({
  dataType: z.enum(DATA_TYPES),
  syncEnabled: z.boolean(),
  retentionDays: z
    .number()
    .int("retention must be a whole number of days")
    .min(MIN_RETENTION_DAYS, `retention must be at least ${MIN_RETENTION_DAYS} day`)
    .max(
      MAX_RETENTION_DAYS,
      `retention can be at most ${MAX_RETENTION_DAYS.toLocaleString("en")} days (99 years)`,
    ),
});
export type TRetentionRule = z.infer<typeof ZRetentionRule>;

export const ZRetentionRules = z
  .array(ZRetentionRule)
  .refine(
    (rules) => new Set(rules.map((r) => r.dataType)).size === rules.length,
    "a data type is listed twice",
  );

export type PolicyWithRules = { policy: RetentionPolicyRow; rules: RetentionRuleRow[] };
/** The rule in force for one data type and the policy it comes from. */
export type EffectiveRule = RetentionRuleRow & { policy_name: string };

export async function getDefaultPolicy(db: DbOrTrx): Promise<PolicyWithRules> {
  const policy = await db
    .selectFrom("retention_policies")
    .selectAll()
    .where("is_default", "=", true)
    .executeTakeFirstOrThrow(() => new Error("no default retention policy: run the database migrations"));
  return { policy, rules: await listRules(db, policy.id) };
}

export async function getPolicy(db: DbOrTrx, policyId: string): Promise<PolicyWithRules | undefined> {
  const policy = await db
    .selectFrom("retention_policies")
    .selectAll()
    .where("id", "=", policyId)
    .executeTakeFirst();
  return policy && { policy, rules: await listRules(db, policy.id) };
}

/**
 * Sets the given data types' rules of a policy (others stay as they are). Throws a ZodError, before touching
 * the database, when a rule is out of bounds. Turning a type off or shortening its retention is what makes
 * the purge job remove archived data; callers audit the change.
 */
export async function updatePolicyRules(
  db: DbOrTrx,
  policyId: string,
  rules: readonly TRetentionRule[],
  updatedBy: string,
): Promise<PolicyWithRules> {
  const valid = ZRetentionRules.parse(rules);
  return inTransaction(db, async (trx) => {
    const policy = await trx
      .updateTable("retention_policies")
      .set({ updated_at: sql<Date>`now()`, updated_by: updatedBy })
      .where("id", "=", policyId)
      .returningAll()
      .executeTakeFirst();
    if (!policy) throw new Error(`retention policy ${policyId} does not exist`);
    if (valid.length > 0) {
      await trx
        .insertInto("retention_rules")
        .values(
          valid.map((r) => ({
            policy_id: policyId,
            data_type: r.dataType,
            sync_enabled: r.syncEnabled,
            retention_days: r.retentionDays,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["policy_id", "data_type"]).doUpdateSet((eb) => ({
            sync_enabled: eb.ref("excluded.sync_enabled"),
            retention_days: eb.ref("excluded.retention_days"),
          })),
        )
        .execute();
    }
    return { policy, rules: await listRules(trx, policyId) };
  });
}

/**
 * The rule in force per data type: "customer-created policies take priority over the default setting"
 * (seed 000) — the highest-priority non-default policy that has a rule for the type, else the default.
 */
export async function getEffectiveRules(db: DbOrTrx): Promise<EffectiveRule[]> {
  const rows = await db
    .selectFrom("retention_rules as r")
    .innerJoin("retention_policies as p", "p.id", "r.policy_id")
    .distinctOn("r.data_type")
    .selectAll("r")
    .select("p.name as policy_name")
    .orderBy("r.data_type")
    .orderBy("p.is_default", "asc")
    .orderBy("p.priority", "desc")
    .orderBy("p.created_at", "asc")
    .execute();
  return sortByDataType(rows);
}

async function listRules(db: DbOrTrx, policyId: string): Promise<RetentionRuleRow[]> {
  const rows = await db.selectFrom("retention_rules").selectAll().where("policy_id", "=", policyId).execute();
  return sortByDataType(rows);
}

function sortByDataType<T extends { data_type: DataType }>(rows: T[]): T[] {
  return rows.sort((a, b) => DATA_TYPES.indexOf(a.data_type) - DATA_TYPES.indexOf(b.data_type));
}
