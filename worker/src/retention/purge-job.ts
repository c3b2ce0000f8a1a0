import { defineJob } from "../jobs/job";
import { PURGE_JOB_NAME, ZPurgePayload } from "./purge-queue";
import { describePurgeReport, runPurge } from "./run-purge";

/**
 * The handler of `retention.purge` (names, payload and scheduling: purge-queue.ts). Register it in
 * jobs/registry.ts's JOBS and consume MAINTENANCE_QUEUE in the worker runtime.
 */
export const purgeJob = defineJob({
  name: PURGE_JOB_NAME,
  schema: ZPurgePayload,
  handle: async (payload, { engine }) => {
    const log = (line: string) => engine.log?.(`purge: ${line}`);
    const report = await runPurge(
      { db: engine.db, blobs: engine.sync.blobs, log },
      { dryRun: payload.dryRun, trigger: payload.trigger, requestedBy: payload.requestedBy ?? "system" },
    );
    for (const line of describePurgeReport(report)) log(line);
    return {
      runId: report.runId,
      versions: report.history.versions,
      items: report.history.items,
      objectsRemoved: report.objects.removed,
      bytesFreed: report.objects.bytes,
    };
  },
});
