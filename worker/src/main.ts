/**
 * The worker process (`npm run worker -w @coffer/worker`, or `coffer worker`): serves the site named by
 * COFFER_SITE until SIGTERM or SIGINT. The only file with side effects at import (style anchors P7).
 */
import { describeError } from "./cli/command";
import { runWorkerFromSettings } from "./runtime/run-worker";

const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

process.on("unhandledRejection", (reason) => log(`unhandled rejection: ${describeError(reason, true)}`));

try {
  const worker = await runWorkerFromSettings(log);
  log(`worker ${process.pid} serving site "${worker.site.name}" (${worker.queueName})`);
  const stop = (signal: string) => {
    log(`${signal}: finishing running tasks, then stopping`);
    void worker.closeAll().then(
      () => process.exit(0),
      (e) => {
        log(`stopping failed: ${describeError(e)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
} catch (e) {
  log(describeError(e));
  process.exit(1);
}
