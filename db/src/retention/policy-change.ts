import { z } from "zod";
import { appendAudit } from "../audit/audit-log";
import { DATA_TYPES, type DataType, type RetentionPolicyRow, type RetentionRuleRow } from "../schema";
import { type DbOrTrx, inTransaction } from "../transaction";
import { parseInput, RetentionError } from "./errors";
import {
  countExpired,
  type TExpiryCounts,
  type TExpiryRule,
  type TTypeExpiry,
  toExpiryRules,
} from "./expiry";
import {
  DEFAULT_RETENTION_DAYS,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  updatePolicyRules,
} from "./retention-policies";
import { resetSyncCursors } from "./sync-reset";
import {
  DATA_TYPE_LABELS,
  DATA_TYPE_NOUNS,
  formatBytes,
  formatCount,
  formatDays,
  formatUtc,
  plural,
} from "./wording";

/**
 * Changing the retention policy (the policy page and `coffer policy set`).
 *
 * Only the Default policy is editable, as in the seed ("Currently, only the Default policy can be
 * edited"). The model has more: other policies with a priority take precedence per data type
 * (`getEffectiveRules`); such policies are shown, and a change of the Default's rule for a type they govern
 * is reported as having no effect for now.
 *
 * Two steps, as the confirmation dialog needs them:
 * 1. `previewPolicyChange(db, input)`: what the change means, per data type, with exactly what will be
 *    deleted (items, versions, folders, bytes, mailboxes) and what legal holds keep, and the dialog's text.
 *    Changes nothing.
 * 2. `applyPolicyChange(db, input, { confirmed: true, actor })`: saves the rules, forgets the sync
 *    cursors of types turned off (so turning one on again starts a full sync), writes the audit entry —
 *    all in one transaction — then asks for a purge (`requestPurge`), which deletes the data in bounded
 *    batches (db/src/purge). Without a `requestPurge` the daily purge does it.
 * Invalid input is refused with a `RetentionError` ("invalid_input", one sentence per problem) before
 * anything is read or written.
 */

/** "36,135", "30 days", 30 → 30. Forms send strings; thousands separators are allowed. */
function toNumber(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const cleaned = value.trim().replace(/[,_\s]|days?$/gi, "");
  return cleaned === "" ? value : Number(cleaned);
}

const RANGE = `from ${MIN_RETENTION_DAYS} to ${formatCount(MAX_RETENTION_DAYS)}`;

export const ZRetentionDays = z.preprocess(
  toNumber,
  z
    .number({ error: `Retention must be a number of days ${RANGE}.` })
    .refine(Number.isFinite, { error: `Retention must be a number of days ${RANGE}.` })
    .int({ error: (i) => `Retention must be a whole number of days (${String(i.input)} is not).` })
    .min(MIN_RETENTION_DAYS, {
      error: (i) => `Retention must be at least ${MIN_RETENTION_DAYS} day (${String(i.input)} was given).`,
    })
    .max(MAX_RETENTION_DAYS, {
      error: (i) =>
        `Retention can be at most ${formatCount(MAX_RETENTION_DAYS)} days, 99 years (${formatCount(Number(i.input))} was given).`,
    }),
);

export const ZDataType = z.enum(DATA_TYPES, {
  error: (i) =>
    i.input === undefined
      ? "Say which data type: mail, calendar, contacts, tasks or notes."
      : `Unknown data type "${String(i.input)}": choose mail, calendar, contacts, tasks or notes.`,
});

export const ZRuleChange = z
  .object({
    dataType: ZDataType,
    syncEnabled: z.boolean({ error: "Sync must be on (true) or off (false)." }).optional(),
    retentionDays: ZRetentionDays.optional(),
  })
  .refine((r) => r.syncEnabled !== undefined || r.retentionDays !== undefined, {
    error: "Say what to change: sync on or off, the retention in days, or both.",
  });

export const ZPolicyChangeInput = z.object({
  /** The data types to change; the others keep their rule. */
  rules: z
    .array(ZRuleChange, { error: "Say which data types to change." })
    .min(1, { error: "Say which data types to change." })
    .refine((rules) => new Set(rules.map((r) => r.dataType)).size === rules.length, {
      error: "A data type is listed twice.",
    }),
  /**
   * The Default policy's `updatedAt` as the form loaded it. When given and the policy changed since, the
   * change is refused (`stale`) instead of overwriting someone else's.
   */
  expectedUpdatedAt: z.coerce.date({ error: "expectedUpdatedAt must be a date." }).optional(),
});
export type TPolicyChangeInput = z.input<typeof ZPolicyChangeInput>;

export type TRuleState = { syncEnabled: boolean; retentionDays: number };
export type TPolicyChangeKind =
  | "none"
  | "sync_off"
  | "sync_on"
  | "shorter"
  | "longer"
  /** Another policy takes priority for the type: the Default's rule changes, the rule in force does not. */
  | "overridden";

export type TPolicyTypeChange = {
  dataType: DataType;
  label: string;
  /** The Default policy's rule before and after. */
  before: TRuleState;
  after: TRuleState;
  /** The rule in force before and after, and the policy it comes from. */
  effectiveBefore: TRuleState & { policyName: string };
  effectiveAfter: TRuleState & { policyName: string };
  kind: TPolicyChangeKind;
  /** Everything of the type anchored before this is deleted; null when sync is off (all of it). */
  cutoff: Date | null;
  toDelete: TTypeExpiry["toDelete"];
  protectedByHold: TExpiryCounts;
  /** One or two sentences for the confirmation dialog. */
  summary: string;
};

export type TPolicyChangePreview = {
  policy: { id: string; name: string; updatedAt: Date; updatedBy: string | null };
  /** The moment the figures were computed for. */
  asOf: Date;
  changes: TPolicyTypeChange[];
  totals: { toDelete: TTypeExpiry["toDelete"]; protectedByHold: TExpiryCounts };
  /** The change deletes archived data: the dialog must ask for an explicit confirmation. */
  hasDeletions: boolean;
  /** Nothing would change (same values). */
  isNoop: boolean;
  confirmation: { title: string; lines: string[]; confirmLabel: string };
};

export type TActor = {
  /** Who, as shown in the audit log (a UPN, or `cli:<user>` for the command line). */
  upn: string;
  entraId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

export type TApplyOptions = {
  confirmed: true;
  actor: TActor;
  now?: Date;
  /**
   * Called after the change is committed when it deletes data or turns a type off: enqueue (portal) or
   * run (CLI) a purge. Its failure is reported in the result, not thrown: the change itself is saved.
   */
  requestPurge?: (request: { dataTypes: DataType[]; requestedBy: string }) => Promise<void> | void;
};

export type TPolicyChangeResult = {
  preview: TPolicyChangePreview;
  /** The Default policy's rules after the change, in the seed's order. */
  rules: RetentionRuleRow[];
  purge: "requested" | "not_needed" | "left_to_daily_purge" | { failed: string };
  /** One sentence for a toast / the CLI. */
  message: string;
};

/** What the policy page shows: the editable Default policy, other policies (read-only) and the rules in force. */
export type TRetentionSettings = {
  bounds: { minDays: number; maxDays: number; defaultDays: number };
  defaultPolicy: {
    id: string;
    name: string;
    updatedAt: Date;
    updatedBy: string | null;
    isEditable: true;
    rules: Array<TRuleState & { dataType: DataType; label: string }>;
  };
  otherPolicies: Array<{
    id: string;
    name: string;
    priority: number;
    isEditable: false;
    rules: Array<TRuleState & { dataType: DataType; label: string }>;
  }>;
  effective: Array<TRuleState & { dataType: DataType; label: string; policyName: string }>;
};

type TPolicyState = {
  policies: RetentionPolicyRow[];
  rules: RetentionRuleRow[];
  defaultPolicy: RetentionPolicyRow;
};

export async function getRetentionSettings(db: DbOrTrx): Promise<TRetentionSettings> {
  const state = await loadPolicyState(db);
  const rulesOf = (policyId: string) =>
    DATA_TYPES.flatMap((dataType) => {
      const r = state.rules.find((x) => x.policy_id === policyId && x.data_type === dataType);
      return r ? [{ dataType, label: DATA_TYPE_LABELS[dataType], ...ruleState(r) }] : [];
    });
  const effective = effectiveRules(state, state.rules);
  return {
    bounds: { minDays: MIN_RETENTION_DAYS, maxDays: MAX_RETENTION_DAYS, defaultDays: DEFAULT_RETENTION_DAYS },
    defaultPolicy: {
      id: state.defaultPolicy.id,
      name: state.defaultPolicy.name,
      updatedAt: state.defaultPolicy.updated_at,
      updatedBy: state.defaultPolicy.updated_by,
      isEditable: true,
      rules: rulesOf(state.defaultPolicy.id),
    },
    otherPolicies: state.policies
      .filter((p) => !p.is_default)
      .map((p) => ({
        id: p.id,
        name: p.name,
        priority: p.priority,
        isEditable: false,
        rules: rulesOf(p.id),
      })),
    effective: DATA_TYPES.flatMap((dataType) => {
      const e = effective.get(dataType);
      return e ? [{ dataType, label: DATA_TYPE_LABELS[dataType], ...e }] : [];
    }),
  };
}

/** What the change would do, with exactly what it deletes. Reads only. */
export async function previewPolicyChange(
  db: DbOrTrx,
  input: unknown,
  options: { now?: Date } = {},
): Promise<TPolicyChangePreview> {
  const parsed = parsePolicyChange(input);
  const state = await loadPolicyState(db);
  return buildPreview(db, state, parsed, options.now ?? new Date());
}

/**
 * Saves the change (after `previewPolicyChange` and the user's confirmation), in one transaction with its
 * audit entry, then requests the purge. Refuses without `confirmed: true`, on invalid input and on a
 * stale `expectedUpdatedAt`, changing nothing.
 */
export async function applyPolicyChange(
  db: DbOrTrx,
  input: unknown,
  options: TApplyOptions,
): Promise<TPolicyChangeResult> {
  const parsed = parsePolicyChange(input);
  if (options.confirmed !== true) {
    throw new RetentionError(
      "confirmation_required",
      "Confirm the change first: review what it deletes (preview), then save it with the confirmation.",
    );
  }
  const now = options.now ?? new Date();
  const { preview, rules } = await inTransaction(db, async (trx) => {
    // Serialises concurrent edits of the policy: the second one sees the first one's rules.
    await trx
      .selectFrom("retention_policies")
      .select("id")
      .where("is_default", "=", true)
      .forUpdate()
      .execute();
    const state = await loadPolicyState(trx);
    const expected = parsed.expectedUpdatedAt;
    if (expected && expected.getTime() !== state.defaultPolicy.updated_at.getTime()) {
      throw new RetentionError(
        "stale",
        `The ${state.defaultPolicy.name} policy was changed${state.defaultPolicy.updated_by ? ` by ${state.defaultPolicy.updated_by}` : ""} at ${formatUtc(state.defaultPolicy.updated_at)}, after this form was opened. Review its current values and try again.`,
      );
    }
    const preview = await buildPreview(trx, state, parsed, now);
    if (preview.isNoop)
      return { preview, rules: state.rules.filter((r) => r.policy_id === state.defaultPolicy.id) };

    const saved = await updatePolicyRules(
      trx,
      state.defaultPolicy.id,
      preview.changes.map((c) => ({ dataType: c.dataType, ...c.after })),
      options.actor.upn,
    );
    for (const c of preview.changes) {
      if (c.kind === "sync_off") await resetSyncCursors(trx, c.dataType);
    }
    await appendAudit(trx, {
      actorUpn: options.actor.upn,
      actorEntraId: options.actor.entraId ?? null,
      ip: options.actor.ip ?? null,
      userAgent: options.actor.userAgent ?? null,
      action: "retention.policy.update",
      target: state.defaultPolicy.name,
      detail: {
        policyId: state.defaultPolicy.id,
        changes: preview.changes.map((c) => ({
          dataType: c.dataType,
          kind: c.kind,
          before: c.before,
          after: c.after,
          cutoff: c.cutoff?.toISOString() ?? null,
          toDelete: c.toDelete,
          protectedByHold: c.protectedByHold,
        })),
      },
    });
    const fresh = await trx
      .selectFrom("retention_policies")
      .select(["updated_at", "updated_by"])
      .where("id", "=", state.defaultPolicy.id)
      .executeTakeFirstOrThrow();
    preview.policy.updatedAt = fresh.updated_at;
    preview.policy.updatedBy = fresh.updated_by;
    return { preview, rules: saved.rules };
  });

  if (preview.isNoop) {
    return {
      preview,
      rules,
      purge: "not_needed",
      message: "Nothing changed: the policy already has these values.",
    };
  }
  const purgeTypes = preview.changes
    .filter((c) => c.kind === "sync_off" || c.toDelete.versions + c.toDelete.folders > 0)
    .map((c) => c.dataType);
  let purge: TPolicyChangeResult["purge"] = "not_needed";
  if (purgeTypes.length > 0) {
    if (!options.requestPurge) purge = "left_to_daily_purge";
    else {
      try {
        await options.requestPurge({ dataTypes: purgeTypes, requestedBy: options.actor.upn });
        purge = "requested";
      } catch (e) {
        purge = { failed: e instanceof Error ? e.message : String(e) };
      }
    }
  }
  const saved = `The ${preview.policy.name} policy is saved.`;
  const message =
    purge === "requested"
      ? `${saved} The archived data it no longer keeps is being deleted.`
      : purge === "left_to_daily_purge"
        ? `${saved} The archived data it no longer keeps will be deleted by the next daily purge.`
        : typeof purge === "object"
          ? `${saved} Starting the purge failed (${purge.failed}); the daily purge will delete the data instead.`
          : saved;
  return { preview, rules, purge, message };
}

// ---- internals ----

type TParsedChange = z.output<typeof ZPolicyChangeInput>;

function parsePolicyChange(input: unknown): TParsedChange {
  return parseInput(ZPolicyChangeInput, input, (issue) => {
    // "Mail: Retention must be at least 1 day (0 was given)." — name the data type the problem is in.
    const [first, index] = issue.path;
    if (first !== "rules" || typeof index !== "number") return undefined;
    const raw = (input as { rules?: Array<{ dataType?: unknown }> } | null)?.rules?.[index]?.dataType;
    return typeof raw === "string" && raw in DATA_TYPE_LABELS ? DATA_TYPE_LABELS[raw as DataType] : undefined;
  });
}

async function loadPolicyState(db: DbOrTrx): Promise<TPolicyState> {
  const policies = await db.selectFrom("retention_policies").selectAll().execute();
  const defaultPolicy = policies.find((p) => p.is_default);
  if (!defaultPolicy) throw new Error("no default retention policy: run the database migrations");
  const rules = await db.selectFrom("retention_rules").selectAll().execute();
  return { policies, rules, defaultPolicy };
}

function ruleState(r: Pick<RetentionRuleRow, "sync_enabled" | "retention_days">): TRuleState {
  return { syncEnabled: r.sync_enabled, retentionDays: r.retention_days };
}

/** The rule in force per type for a set of rules: the same order as `getEffectiveRules` (SQL). */
function effectiveRules(
  state: TPolicyState,
  rules: readonly RetentionRuleRow[],
): Map<DataType, TRuleState & { policyName: string }> {
  const byId = new Map(state.policies.map((p) => [p.id, p]));
  const ranked = [...rules].sort((a, b) => {
    const pa = byId.get(a.policy_id)!;
    const pb = byId.get(b.policy_id)!;
    return (
      Number(pa.is_default) - Number(pb.is_default) ||
      pb.priority - pa.priority ||
      pa.created_at.getTime() - pb.created_at.getTime()
    );
  });
  const out = new Map<DataType, TRuleState & { policyName: string }>();
  for (const r of ranked) {
    if (!out.has(r.data_type))
      out.set(r.data_type, { ...ruleState(r), policyName: byId.get(r.policy_id)!.name });
  }
  return out;
}

async function buildPreview(
  db: DbOrTrx,
  state: TPolicyState,
  input: TParsedChange,
  now: Date,
): Promise<TPolicyChangePreview> {
  const policy = state.defaultPolicy;
  const current = (t: DataType): TRuleState => {
    const r = state.rules.find((x) => x.policy_id === policy.id && x.data_type === t);
    return r ? ruleState(r) : { syncEnabled: true, retentionDays: DEFAULT_RETENTION_DAYS };
  };
  const proposed = state.rules.filter(
    (r) => r.policy_id !== policy.id || !input.rules.some((c) => c.dataType === r.data_type),
  );
  for (const c of input.rules) {
    const before = current(c.dataType);
    proposed.push({
      policy_id: policy.id,
      data_type: c.dataType,
      sync_enabled: c.syncEnabled ?? before.syncEnabled,
      retention_days: c.retentionDays ?? before.retentionDays,
    });
  }
  const effBefore = effectiveRules(state, state.rules);
  const effAfter = effectiveRules(state, proposed);

  const ordered = [...input.rules].sort(
    (a, b) => DATA_TYPES.indexOf(a.dataType) - DATA_TYPES.indexOf(b.dataType),
  );
  const expiryRules: TExpiryRule[] = ordered.map((c) => {
    const e = effAfter.get(c.dataType)!;
    return toExpiryRules(
      [
        {
          data_type: c.dataType,
          sync_enabled: e.syncEnabled,
          retention_days: e.retentionDays,
          policy_name: e.policyName,
        },
      ],
      now,
    )[0]!;
  });
  const report = await countExpired(db, expiryRules);

  const changes = ordered.map((c, i): TPolicyTypeChange => {
    const before = current(c.dataType);
    const after = {
      syncEnabled: c.syncEnabled ?? before.syncEnabled,
      retentionDays: c.retentionDays ?? before.retentionDays,
    };
    const effectiveBefore = effBefore.get(c.dataType)!;
    const effectiveAfter = effAfter.get(c.dataType)!;
    const counts = report.types[i]!;
    const kind = changeKind(before, after, effectiveBefore, effectiveAfter);
    const change: TPolicyTypeChange = {
      dataType: c.dataType,
      label: DATA_TYPE_LABELS[c.dataType],
      before,
      after,
      effectiveBefore,
      effectiveAfter,
      kind,
      cutoff: expiryRules[i]!.cutoff,
      toDelete: counts.toDelete,
      protectedByHold: counts.protectedByHold,
      summary: "",
    };
    change.summary = describeChange(change);
    return change;
  });

  const isNoop = changes.every(
    (c) => c.before.syncEnabled === c.after.syncEnabled && c.before.retentionDays === c.after.retentionDays,
  );
  const hasDeletions = report.totals.toDelete.versions + report.totals.toDelete.folders > 0;
  const lines = changes.map((c) => c.summary);
  if (hasDeletions) lines.push("Deleted data cannot be recovered.");
  return {
    policy: { id: policy.id, name: policy.name, updatedAt: policy.updated_at, updatedBy: policy.updated_by },
    asOf: now,
    changes,
    totals: report.totals,
    hasDeletions,
    isNoop,
    confirmation: {
      title: isNoop
        ? "Nothing to change"
        : hasDeletions
          ? `Save the ${policy.name} policy and delete archived data?`
          : `Save the ${policy.name} policy?`,
      lines,
      confirmLabel: hasDeletions ? "Save and delete" : "Save",
    },
  };
}

function changeKind(
  before: TRuleState,
  after: TRuleState,
  effectiveBefore: TRuleState & { policyName: string },
  effectiveAfter: TRuleState & { policyName: string },
): TPolicyChangeKind {
  const same = (a: TRuleState, b: TRuleState) =>
    a.syncEnabled === b.syncEnabled && a.retentionDays === b.retentionDays;
  if (same(before, after)) return "none";
  if (same(effectiveBefore, effectiveAfter)) return "overridden";
  if (effectiveBefore.syncEnabled && !effectiveAfter.syncEnabled) return "sync_off";
  if (!effectiveBefore.syncEnabled && effectiveAfter.syncEnabled) return "sync_on";
  return effectiveAfter.retentionDays < effectiveBefore.retentionDays ? "shorter" : "longer";
}

function describeCounts(c: TTypeExpiry["toDelete"]): string {
  const parts = [plural(c.versions, "version")];
  if (c.folders > 0) parts.push(plural(c.folders, "folder version"));
  parts.push(formatBytes(c.bytes));
  return `${plural(c.items, "item")} (${parts.join(", ")}) from ${plural(c.mailboxes, "mailbox", "mailboxes")}`;
}

function describeHeld(c: TExpiryCounts): string {
  if (c.versions + c.folders === 0) return "";
  return ` ${plural(c.mailboxes, "mailbox", "mailboxes")} on legal hold ${c.mailboxes === 1 ? "keeps" : "keep"} ${plural(c.items, "item")} (${plural(c.versions, "version")}, ${formatBytes(c.bytes)}) until the hold is released.`;
}

function describeChange(c: TPolicyTypeChange): string {
  const lower = DATA_TYPE_NOUNS[c.dataType];
  const held = describeHeld(c.protectedByHold);
  const deletes = c.toDelete.versions + c.toDelete.folders > 0;
  switch (c.kind) {
    case "none":
      return `${c.label}: no change.`;
    case "overridden":
      return `${c.label}: the ${c.effectiveAfter.policyName} policy takes priority for ${lower}, so this change has no effect while it does (in force: sync ${c.effectiveAfter.syncEnabled ? "on" : "off"}, ${formatDays(c.effectiveAfter.retentionDays)}).`;
    case "sync_off":
      return (
        `${c.label}: sync turned off. Coffer stops archiving ${lower} and deletes all archived ${lower}` +
        (deletes ? `: ${describeCounts(c.toDelete)}.` : " (there is none).") +
        held +
        " Turning it on again later starts a full sync."
      );
    case "sync_on":
      return (
        `${c.label}: sync turned on, kept ${formatDays(c.effectiveAfter.retentionDays)}. The next sync of each mailbox archives its ${lower} from the start (a full sync).` +
        (deletes ? ` Already past this period and deleted: ${describeCounts(c.toDelete)}.${held}` : "")
      );
    case "shorter": {
      const since = c.cutoff ? ` (before ${formatUtc(c.cutoff)})` : "";
      return (
        `${c.label}: retention shortened from ${formatDays(c.effectiveBefore.retentionDays)} to ${formatDays(c.effectiveAfter.retentionDays)}. ` +
        (deletes
          ? `Deleted: what left the mailboxes more than ${formatDays(c.effectiveAfter.retentionDays)} ago and items received longer ago${since}: ${describeCounts(c.toDelete)}.`
          : "Nothing archived is older, so nothing is deleted.") +
        held
      );
    }
    case "longer":
      return (
        `${c.label}: retention extended from ${formatDays(c.effectiveBefore.retentionDays)} to ${formatDays(c.effectiveAfter.retentionDays)}. ` +
        (deletes
          ? `Still older than that and deleted by the next purge: ${describeCounts(c.toDelete)}.${held}`
          : "Nothing is deleted; what was purged before does not come back.")
      );
  }
}

/** For tests and the CLI: the Default policy's rule of each data type. */
export async function getDefaultRules(db: DbOrTrx): Promise<Record<DataType, TRuleState>> {
  const rows = await db
    .selectFrom("retention_rules as r")
    .innerJoin("retention_policies as p", "p.id", "r.policy_id")
    .select(["r.data_type", "r.sync_enabled", "r.retention_days"])
    .where("p.is_default", "=", true)
    .execute();
  const out = {} as Record<DataType, TRuleState>;
  for (const r of rows) out[r.data_type] = ruleState(r);
  return out;
}
