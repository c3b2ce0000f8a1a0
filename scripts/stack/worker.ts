import path from "node:path";
import { WORKER_NODE_FLAGS } from "@coffer/worker/runtime/node-flags";
import { isOurs, spawnBackground, stopBackground } from "./background";
import { isAlive, tail } from "./proc";
import type { Layout, ServiceRecord, StackState } from "./state";

/**
 * The worker process (`coffer worker`) for the demo: it runs the Exchange Tasks of its site (the
 * first-start folder replication task every 4 hours, and whatever admins create in the console).
 */

export function runningWorker(state: StackState): ServiceRecord | undefined {
  const r = state.services.worker;
  return r && isOurs(r.pid, r.startTime) ? r : undefined;
}

export async function startWorker(
  l: Layout,
  state: StackState,
): Promise<{ record: ServiceRecord; started: boolean }> {
  const already = runningWorker(state);
  if (already) return { record: already, started: false };
  const logFile = path.join(l.logs, "worker.log");
  const { pid, startTime } = spawnBackground({
    command: process.execPath,
    args: [...WORKER_NODE_FLAGS, path.join(l.repoRoot, "worker", "bin", "coffer.js"), "worker"],
    cwd: l.repoRoot,
    logFile,
    env: { ...process.env },
  });
  // A worker that cannot reach its services exits at once with a sentence in its log: say so now
  // rather than leave a dead pid in stack.json.
  await new Promise((r) => setTimeout(r, 3000));
  if (!isAlive(pid)) throw new Error(`The worker exited. Its log ${logFile} ends with:\n${tail(logFile)}`);
  return {
    // The worker listens on no port; it is reached through Redis.
    record: { pid, port: 0, url: "", log: logFile, startTime, startedAt: new Date().toISOString() },
    started: true,
  };
}

export async function stopWorker(state: StackState): Promise<number | undefined> {
  const r = state.services.worker;
  if (!r) return undefined;
  return (await stopBackground(r.pid, r.startTime)) ? r.pid : undefined;
}
