import { defineCommand } from "./command";

/**
 * `coffer worker`: runs the worker process for the site named by COFFER_SITE (Exchange Tasks: schedules,
 * runs, heartbeats) until Ctrl-C / SIGTERM, then finishes running tasks and stops.
 */
export const worker = defineCommand({
  name: "worker",
  summary: "run the worker for this site (COFFER_SITE) until stopped",
  description:
    "Starts the Synchronization Engine worker for the site named by COFFER_SITE (default: default): it runs the " +
    "site's Exchange Tasks on their schedules and on request, reports its heartbeat, and on the very first start " +
    "creates the default schedule, definition and task (folder replication of all licensed mailboxes every 4 hours). " +
    "Stop it with Ctrl-C or SIGTERM: running tasks finish first.",
  async run({ io }) {
    const { runWorkerFromSettings } = await import("../runtime/run-worker");
    const log = (line: string) => io.warn(`${new Date().toISOString()} ${line}`);
    const w = await runWorkerFromSettings(log);
    log(`worker ${process.pid} serving site "${w.site.name}" (${w.queueName})`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log(`${signal}: finishing running tasks, then stopping`);
        void w.closeAll().finally(resolve);
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    return { json: { site: w.site.name, stopped: true } };
  },
});
