/**
 * The retention purge (see purge.ts): expired history, then unreferenced content, never anything under
 * legal hold. `purgeExpired(db, blobStore.backend, { dryRun })`.
 */
export { type ObjectReaper, reaperFor, type TReaperHooks } from "./object-reaper";
export {
  PurgeBusyError,
  purgeExpired,
  type TPurgeOptions,
  type TPurgeReport,
  type TPurgeStep,
  type TPurgeTypeReport,
} from "./purge";
export { findBlobReferences, type TBlobReference } from "./references";
