import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findMailboxByUpn } from "@coffer/db/mailboxes/mailboxes";
import { listDefinitions } from "@coffer/db/tasks/definitions";
import { listSchedules } from "@coffer/db/tasks/schedules";
import { ensureSite, findSiteById } from "@coffer/db/tasks/sites";
import { findTaskRunById, listRunMailboxes } from "@coffer/db/tasks/task-runs";
import { deleteTask, findTaskById, listTasks } from "@coffer/db/tasks/tasks";
import { createTestDatabase, type TestDatabase } from "@coffer/db/testing/test-database";
import { testRedisUrl, uniqueRedisPrefix } from "@coffer/test/setup/integration";
import { isolatedEnv } from "@coffer/test/setup/processes";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bullPrefix, siteQueueName, taskSchedulerId } from "../jobs/names";
import { listMailboxAt } from "../sync/list-mailbox";
import { createDefinition } from "../tasks/api-definitions";
import { createSchedule } from "../tasks/api-schedules";
import { createTask, getTask, runTaskNow } from "../tasks/api-tasks";
import { DEFAULT_TASK_NAME, registerWorkerSite } from "../tasks/first-start";
import { startTasksHarness, type TTasksHarness } from "../tasks/testing/harness";
import { reconcileSchedulers } from "./reconcile-schedulers";

/**
 * The worker process: first start on a new database, job schedulers reconciled from the database, and
 * a worker killed in the middle of a run (SIGKILL of a real child process): the run is closed as failed
 * through heartbeat staleness, and the next run completes the work.
 */

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describe("first start", () => {
  let t: TestDatabase;
  let redis: Redis;
  beforeAll(async () => {
    t = await createTestDatabase("coffer_firststart");
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.drop();
  });

  it("creates the default site, schedule, definition and task once, and the worker schedules it", async () => {
    const first = await registerWorkerSite(t.db, "default");
    expect(first.isFirstStart).toBe(true);
    const again = await registerWorkerSite(t.db, "default");
    const other = await registerWorkerSite(t.db, "London");
    expect([again.isFirstStart, other.isFirstStart, again.site.id]).toEqual([false, false, first.site.id]);
    const [schedule] = await listSchedules(t.db);
    const [definition] = await listDefinitions(t.db);
    const tasks = await listTasks(t.db);
    expect(schedule).toMatchObject({ name: "Every 4 hours", kind: "interval", interval_minutes: 240 });
    expect(definition).toMatchObject({
      type: "folder_replication",
      settings: {
        dataTypes: ["mail", "calendar", "contacts", "tasks", "notes"],
        folders: { mode: "all" },
        includeHidden: false,
      },
    });
    expect(tasks).toEqual([
      expect.objectContaining({
        name: DEFAULT_TASK_NAME,
        site_id: first.site.id,
        type: "folder_replication",
        target_kind: "all_licensed",
        status: "unknown",
      }),
    ]);

    // The site's job scheduler follows the task; unchanged schedules are left alone; deleted tasks lose theirs.
    const queue = new Queue(siteQueueName(first.site.id), {
      connection: redis,
      prefix: bullPrefix(uniqueRedisPrefix("first")),
    });
    try {
      const r1 = await reconcileSchedulers(t.db, queue, first.site.id);
      expect(r1).toEqual({ upserted: [tasks[0]!.id], removed: [], unchanged: 0 });
      expect(await queue.getJobScheduler(taskSchedulerId(tasks[0]!.id))).toMatchObject({
        every: 240 * 60_000,
      });
      // An interval scheduler runs a new task at once: a new install starts protecting mail right away.
      expect(await queue.getJobCounts("waiting")).toEqual({ waiting: 1 });
      expect((await findTaskById(t.db, tasks[0]!.id))?.next_run_at).toBeInstanceOf(Date);
      expect(await reconcileSchedulers(t.db, queue, first.site.id)).toEqual({
        upserted: [],
        removed: [],
        unchanged: 1,
      });
      await deleteTask(t.db, tasks[0]!.id);
      expect(await reconcileSchedulers(t.db, queue, first.site.id)).toEqual({
        upserted: [],
        removed: [tasks[0]!.id],
        unchanged: 0,
      });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

describe("a worker killed in the middle of a run", () => {
  let h: TTasksHarness;
  let child: ChildProcess | undefined;
  let home: string;
  beforeAll(async () => {
    h = await startTasksHarness();
    home = mkdtempSync(path.join(tmpdir(), "coffer-home-"));
  });
  afterAll(async () => {
    child?.kill("SIGKILL");
    await h?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("leaves the run marked failed (stale heartbeat) and the next run completes it", async () => {
    const D = "crash.example";
    const users: Array<{ upn: string; id: string }> = [];
    for (const n of ["kim", "lou", "max"]) {
      const upn = `${n}@${D}`;
      const { id } = await h.ctl.createUser({ userPrincipalName: upn, displayName: n });
      for (let i = 0; i < 3; i++) {
        await h.ctl.uploadMessage(
          upn,
          `Subject: ${n} ${i}\r\nMessage-ID: <${n}-${i}@${D}>\r\n\r\nhello\r\n`,
          { folder: "Inbox" },
        );
      }
      users.push({ upn, id });
    }
    await ensureSite(h.db, "harness"); // not a new install: no default task in the shared database
    const siteName = `crash-${Date.now()}`;
    const site = await ensureSite(h.db, siteName);
    const schedule = await createSchedule(
      h.ctx,
      { name: "Crash yearly", kind: "cron", cron: "0 5 1 1 *" },
      "a",
    );
    const definition = await createDefinition(
      h.ctx,
      { type: "folder_replication", name: "Crash mail", settings: { dataTypes: ["mail"] } },
      "a",
    );
    const task = await createTask(
      h.ctx,
      {
        name: "Crash",
        siteId: site.id,
        scheduleId: schedule.id,
        definitionId: definition.id,
        target: { kind: "mailbox_list", addresses: users.map((u) => u.upn) },
      },
      "a",
    );
    await h.ctl.setFaults({ latencyMs: 300, match: `users/(${users.map((u) => u.id).join("|")})/` });

    // One process (node with tsx's loader), not the tsx CLI, which would run the worker in a grandchild
    // that SIGKILL of the CLI does not reach.
    child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      cwd: ROOT,
      env: isolatedEnv({
        ...h.childEnv(),
        M365_EXCHANGE_URL: h.sim.exchangeUrl,
        COFFER_HOME: home,
        COFFER_SITE: siteName,
        COFFER_MAILBOX_PARALLELISM: "1",
        COFFER_HEARTBEAT_SECONDS: "1",
        COFFER_RUN_STALE_SECONDS: "3",
      }),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let childLog = "";
    child.stderr?.on("data", (b: Buffer) => {
      childLog += b.toString();
    });
    await h.waitFor(
      async () => (await findSiteById(h.db, site.id))?.hostname ?? childLog,
      (v) => v !== childLog && !!v,
      30_000,
    );

    await runTaskNow(h.ctx, task.id, "a");
    const running = await h.waitFor(
      async () => (await getTask(h.ctx, task.id)).currentRun,
      (r) => !!r && r.mailboxesDone >= 1,
      30_000,
    );
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    child = undefined;
    await h.ctl.setFaults({});

    // Another worker of the site (here in-process) notices the stale heartbeat and closes the run.
    await h.startWorker({ siteName, staleRunMs: 2000, heartbeatMs: 300 });
    const failed = await h.waitFor(
      async () => (await findTaskRunById(h.db, running!.id))!,
      (r) => r.status !== "running",
      20_000,
    );
    expect(failed).toMatchObject({ status: "error", message: "the worker stopped responding" });
    expect(failed.mailboxes_done).toBeLessThan(3);
    expect((await getTask(h.ctx, task.id)).lastResult).toBe("error");

    // The next run takes over the dead worker's locks at once and completes every mailbox.
    const next = await runTaskNow(h.ctx, task.id, "a", { wait: true, timeoutMs: 60_000 });
    expect(next.outcome).toMatchObject({ kind: "finished", result: "success" });
    const rows = await listRunMailboxes(h.db, next.outcome?.kind === "finished" ? next.outcome.runId : "");
    expect(rows.map((r) => r.status)).toEqual(["success", "success", "success"]);
    for (const u of users) {
      const mbx = (await findMailboxByUpn(h.db, u.upn))!;
      expect((await listMailboxAt(h.db, mbx.id)).items).toHaveLength(3);
    }
    expect(await getTask(h.ctx, task.id)).toMatchObject({ status: "scheduled", lastResult: "success" });
  });
});
