import type { TPurgeReport } from "@coffer/db/purge/index";
import { applyPolicyChange, type TActor, type TPolicyChangeResult } from "@coffer/db/retention/policy-change";
import type { DataType } from "@coffer/db/schema";
import { enqueuePurge, openMaintenanceQueue } from "./purge-queue";
import { runPurge, type TPurgeDeps } from "./run-purge";

/**
 * The effects of a retention policy change, wired to the worker: `applyPolicyChange` (db/src/retention)
 * saves the rules and forgets the sync cursors of types turned off; then the data the rules no longer
 * keep is deleted — here, by running the purge in this process (the CLI), or by enqueueing the purge job
 * (`requestPurgeByQueue`, for the portal, whose request must not wait for a long purge).
 */
export async function applyPolicyChangeAndPurge(
  deps: TPurgeDeps,
  input: unknown,
  options: { actor: TActor; now?: Date; isPurging: boolean },
): Promise<{ result: TPolicyChangeResult; purge: TPurgeReport | null }> {
  let purge: TPurgeReport | null = null;
  const result = await applyPolicyChange(deps.db, input, {
    confirmed: true,
    actor: options.actor,
    ...(options.now ? { now: options.now } : {}),
    ...(options.isPurging
      ? {
          requestPurge: async ({ requestedBy }: { requestedBy: string }) => {
            purge = await runPurge(deps, { dryRun: false, trigger: "policy_change", requestedBy });
          },
        }
      : {}),
  });
  return { result, purge };
}

/**
 * A `requestPurge` for `applyPolicyChange` that enqueues the purge job on the maintenance queue:
 *
 *   await applyPolicyChange(db, input, { confirmed: true, actor, requestPurge: requestPurgeByQueue(url, prefix) });
 */
export function requestPurgeByQueue(redisUrl: string, redisPrefix: string) {
  return async (request: { dataTypes: DataType[]; requestedBy: string }): Promise<void> => {
    const q = await openMaintenanceQueue(redisUrl, redisPrefix);
    try {
      await enqueuePurge(q.queue, {
        trigger: "policy_change",
        requestedBy: request.requestedBy,
        dataTypes: request.dataTypes,
      });
    } finally {
      await q.close();
    }
  };
}
