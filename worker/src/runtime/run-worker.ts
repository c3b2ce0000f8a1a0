import { settings } from "../config";
import { runtimeSettings } from "./config";
import { createEngine } from "./create-engine";
import { startWorkerRuntime, type TWorkerHandle } from "./start-worker";

/**
 * Starts the worker for COFFER_SITE from this process's settings and returns a close() that also closes
 * the engine. Used by `worker/src/main.ts` and `coffer worker`.
 */
export async function runWorkerFromSettings(
  log: (line: string) => void,
): Promise<TWorkerHandle & { closeAll(): Promise<void> }> {
  const rt = runtimeSettings();
  const site = settings("site").COFFER_SITE;
  const engine = createEngine(log);
  try {
    const handle = await startWorkerRuntime({
      engine,
      redisUrl: settings("redis").REDIS_URL,
      siteName: site,
      taskConcurrency: rt.COFFER_TASK_CONCURRENCY,
      heartbeatMs: rt.COFFER_HEARTBEAT_SECONDS * 1000,
      staleRunMs: rt.COFFER_RUN_STALE_SECONDS * 1000,
      reconcileMs: rt.COFFER_RECONCILE_SECONDS * 1000,
    });
    let closing: Promise<void> | undefined;
    return {
      ...handle,
      closeAll: () => {
        closing ??= handle.close().finally(() => engine.close());
        return closing;
      },
    };
  } catch (e) {
    await engine.close();
    throw e;
  }
}
