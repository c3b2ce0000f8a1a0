/**
 * Retention, legal holds and de-provisioning for the admin pages and the CLI (`@coffer/db/retention/index`).
 * Each action is a plain function taking the database first, validating its input with the zod schema it
 * exports, auditing what it changes, and throwing `RetentionError` (a sentence to show, a `code` for the
 * HTTP status) when the administrator must do something differently. Nothing changes when it throws.
 */
export {
  deprovision,
  reprovision,
  type TDeprovisionInput,
  type TMailboxLifecycleView,
  ZDeprovisionInput,
} from "./deprovisioning";
export { isRetentionError, RetentionError, type TFieldIssue, type TRetentionErrorCode } from "./errors";
export {
  countExpired,
  cutoffFor,
  type TExpiryCounts,
  type TExpiryReport,
  type TExpiryRule,
  type TTypeExpiry,
  toExpiryRules,
} from "./expiry";
export {
  listHolds,
  placeHold,
  releaseHold,
  type THoldView,
  type TPlaceHoldInput,
  type TReleaseHoldInput,
  type TReleaseHoldResult,
  ZListHoldsInput,
  ZPlaceHoldInput,
  ZReleaseHoldInput,
} from "./holds";
export { resolveMailboxRef, ZMailboxRef } from "./mailbox-ref";
export {
  applyPolicyChange,
  getDefaultRules,
  getRetentionSettings,
  previewPolicyChange,
  type TActor,
  type TApplyOptions,
  type TPolicyChangeInput,
  type TPolicyChangeKind,
  type TPolicyChangePreview,
  type TPolicyChangeResult,
  type TPolicyTypeChange,
  type TRetentionSettings,
  type TRuleState,
  ZDataType,
  ZPolicyChangeInput,
  ZRetentionDays,
  ZRuleChange,
} from "./policy-change";
export {
  checkSyncAllowed,
  filterSyncableMailboxes,
  syncEnabledDataTypes,
  type TSkipReason,
  type TSyncGate,
} from "./sync-gate";
export { DATA_TYPE_LABELS, DATA_TYPE_NOUNS, formatBytes, formatDays } from "./wording";
