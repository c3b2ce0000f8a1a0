import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, type Db } from "@coffer/db/client";
import { listDefinitions } from "@coffer/db/tasks/definitions";
import { listSchedules } from "@coffer/db/tasks/schedules";
import { listSites } from "@coffer/db/tasks/sites";
import { finishTaskRun, listTaskRuns, startTaskRun } from "@coffer/db/tasks/task-runs";
import { listTasks } from "@coffer/db/tasks/tasks";
import { WORKER_NODE_FLAGS } from "@coffer/worker/runtime/node-flags";
import { registerWorkerSite } from "@coffer/worker/tasks/first-start";
import { REPO_ROOT } from "./portal-build";
import { readFixture } from "./support/fixture";

/**
 * Shared by the admin console's specs (test/e2e/admin-*.spec.ts): the e2e database (to check that refused
 * input saved nothing), the Synchronization Engine Site the specs use, and a real worker process for it.
 */
export const E2E_SITE = "e2e";

let db: Db | undefined;
export function e2eDb(): Db {
  db ??= createDb(readFixture().databaseUrl, 2);
  return db;
}

export async function closeE2eDb(): Promise<void> {
  await db?.destroy();
  db = undefined;
}

/** How many tasks, schedules and definitions exist: refused forms must leave these unchanged. */
export async function configCounts(): Promise<{ tasks: number; schedules: number; definitions: number }> {
  const d = e2eDb();
  const [tasks, schedules, definitions] = await Promise.all([
    listTasks(d),
    listSchedules(d),
    listDefinitions(d),
  ]);
  return { tasks: tasks.length, schedules: schedules.length, definitions: definitions.length };
}

/**
 * Real ids for the access checks: the e2e site as a worker's first start registers it (with the default
 * schedule, definition and task), and one finished run of that task.
 */
export async function seedTaskIds(): Promise<{
  siteId: string;
  scheduleId: string;
  definitionId: string;
  taskId: string;
  runId: string;
}> {
  const d = e2eDb();
  const { site } = await registerWorkerSite(d, E2E_SITE);
  const task = (await listTasks(d)).find((t) => t.site_id === site.id) ?? (await listTasks(d))[0];
  if (!task) throw new Error("no task after registering the e2e site");
  let [run] = await listTaskRuns(d, task.id, 1);
  if (!run) {
    run = await startTaskRun(d, { taskId: task.id, trigger: "manual", workerId: "e2e-seed" });
    run = await finishTaskRun(d, run.id, { result: "success", message: "seeded by the e2e access spec" });
  }
  const sites = await listSites(d);
  return {
    siteId: sites.find((s) => s.name === E2E_SITE)?.id ?? site.id,
    scheduleId: task.schedule_id,
    definitionId: task.definition_id,
    taskId: task.id,
    runId: run.id,
  };
}

/**
 * A worker process (`coffer worker`) for the e2e site, against the e2e database, Redis prefix, simulator
 * and blob store, with short intervals and one mailbox at a time (so progress is visible). Stopped by
 * `stop()` with SIGTERM, then SIGKILL if it does not exit within 10 s.
 */
export function startWorker(): { process: ChildProcess; stop(): Promise<void>; output(): string } {
  const fx = readFixture();
  if (!fx.services)
    throw new Error("the e2e fixture has no services (serve-portal.ts is older than this spec)");
  const home = mkdtempSync(path.join(tmpdir(), "coffer-e2e-worker-"));
  let output = "";
  const child = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, path.join(REPO_ROOT, "worker/bin/coffer.js"), "worker"],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? home,
        COFFER_HOME: home,
        DATABASE_URL: fx.databaseUrl,
        REDIS_URL: fx.services.redisUrl,
        COFFER_REDIS_PREFIX: fx.services.redisPrefix,
        COFFER_BLOB_DIR: fx.services.blobDir,
        COFFER_ENCRYPTION_KEY_FILE: fx.services.keyFile,
        M365_AUTHORITY: fx.sim.authority,
        M365_TENANT_ID: fx.sim.tenantId,
        M365_CLIENT_ID: fx.sim.clientId,
        M365_CLIENT_SECRET: fx.sim.clientSecret,
        M365_GRAPH_URL: fx.sim.graphUrl,
        M365_EXCHANGE_URL: fx.sim.url,
        M365_CA_FILE: fx.sim.caFile,
        COFFER_SITE: E2E_SITE,
        COFFER_MAILBOX_PARALLELISM: "1",
        COFFER_HEARTBEAT_SECONDS: "2",
        COFFER_RECONCILE_SECONDS: "5",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
