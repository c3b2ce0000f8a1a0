import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { createDefinition, listDefinitionVersions, updateDefinition } from "./definitions";
import { createSchedule, deleteSchedule, updateSchedule } from "./schedules";
import { ensureSite, heartbeatSite, listSites } from "./sites";
import {
  appendRunLog,
  failStaleTaskRuns,
  findTaskRunById,
  finishRunMailbox,
  finishTaskRun,
  heartbeatTaskRun,
  listRunLogs,
  listRunMailboxes,
  listTaskRuns,
  startRunMailbox,
  startTaskRun,
} from "./task-runs";
import { createTask, deleteTask, findTaskById, listTasks, type TTaskConfig, updateTask } from "./tasks";

let t: TestDatabase;
let config: TTaskConfig;
beforeAll(async () => {
  t = await createTestDatabase();
  const site = await ensureSite(t.db, "London");
  const schedule = await createSchedule(
    t.db,
    { name: "Every 4 hours", kind: "interval", intervalMinutes: 240 },
    "admin",
  );
  const definition = await createDefinition(
    t.db,
    { type: "folder_replication", name: "All mail", settings: { folders: "all" } },
    "admin",
  );
  config = {
    name: "Archive sales",
    siteId: site.id,
    scheduleId: schedule.id,
    definitionId: definition.id,
    type: "folder_replication",
    targetKind: "group_email",
    targetValue: "sales@contoso.com",
  };
});
afterAll(async () => {
  await t?.drop();
});

describe("sites, schedules, definitions", () => {
  it("ensures a site once and records worker heartbeats", async () => {
    const again = await ensureSite(t.db, "London");
    expect((await listSites(t.db)).map((s) => s.id)).toEqual([again.id]);
    const beat = await heartbeatSite(t.db, again.id, { version: "0.1.0", hostname: "worker-1" });
    expect(beat).toMatchObject({ version: "0.1.0", hostname: "worker-1" });
    expect(beat?.last_heartbeat_at).toBeInstanceOf(Date);
  });

  it("keeps every version of a definition's settings", async () => {
    const def = await createDefinition(
      t.db,
      { type: "storage_management", name: "Stub after 90d", settings: { days: 90 } },
      "alice",
    );
    const v2 = await updateDefinition(t.db, def.id, { settings: { days: 60 } }, "bob");
    const v3 = await updateDefinition(
      t.db,
      def.id,
      { settings: { days: 30 }, name: "Stub after 30d" },
      "carol",
    );
    expect([def.version, v2?.version, v3?.version]).toEqual([1, 2, 3]);
    expect(v3).toMatchObject({ name: "Stub after 30d", settings: { days: 30 }, updated_by: "carol" });
    expect(
      (await listDefinitionVersions(t.db, def.id)).map((v) => [v.version, v.settings, v.created_by]),
    ).toEqual([
      [3, { days: 30 }, "carol"],
      [2, { days: 60 }, "bob"],
      [1, { days: 90 }, "alice"],
    ]);
    expect(
      await updateDefinition(t.db, "00000000-0000-0000-0000-000000000000", { settings: {} }, "x"),
    ).toBeUndefined();
  });

  it("enforces a schedule's shape and refuses to delete one in use", async () => {
    const cron = await createSchedule(
      t.db,
      { name: "Nightly", kind: "cron", cron: "0 2 * * *", timeZone: "Europe/London" },
      "a",
    );
    const asInterval = await updateSchedule(
      t.db,
      cron.id,
      { name: "Nightly", kind: "interval", intervalMinutes: 60 },
      "b",
    );
    expect(asInterval).toMatchObject({
      kind: "interval",
      cron: null,
      interval_minutes: 60,
      time_zone: "UTC",
    });
    const user = await createTask(t.db, { ...config, name: "Nightly task", scheduleId: cron.id }, "a");
    await expect(deleteSchedule(t.db, cron.id)).rejects.toThrow(/foreign key/);
    await deleteTask(t.db, user.id);
    expect(await deleteSchedule(t.db, cron.id)).toBe(true);
  });
});

describe("tasks and runs", () => {
  it("creates a task in status Unknown and bumps its config version on change", async () => {
    const task = await createTask(t.db, config, "admin");
    expect(task).toMatchObject({ status: "unknown", config_version: 1, sequence: 0, created_by: "admin" });
    const changed = await updateTask(
      t.db,
      task.id,
      { ...config, targetValue: "sales-eu@contoso.com" },
      "bob",
    );
    expect(changed).toMatchObject({
      config_version: 2,
      target_value: "sales-eu@contoso.com",
      updated_by: "bob",
    });
    const [listed] = await listTasks(t.db, { siteId: config.siteId });
    expect(listed).toMatchObject({
      site_name: "London",
      schedule_name: "Every 4 hours",
      definition_name: "All mail",
    });
    await deleteTask(t.db, task.id);
  });

  it("runs: status, latest detail, per-mailbox rows, totals, sequence, logs and last result", async () => {
    const task = await createTask(t.db, config, "admin");
    const run = await startTaskRun(t.db, {
      taskId: task.id,
      trigger: "manual",
      definitionVersion: 1,
      mailboxesTotal: 2,
    });
    expect(await findTaskById(t.db, task.id)).toMatchObject({
      status: "running",
      last_run_at: run.started_at,
    });

    await heartbeatTaskRun(t.db, run.id, { latestDetail: "mailbox 1 of 2: a@contoso.com" });
    expect((await findTaskById(t.db, task.id))?.latest_detail).toBe("mailbox 1 of 2: a@contoso.com");

    const a = await startRunMailbox(t.db, { runId: run.id, mailboxId: null, upn: "a@contoso.com" });
    await finishRunMailbox(t.db, a.id, { status: "success", itemsAdded: 10, itemsChanged: 2, requests: 14 });
    const b = await startRunMailbox(t.db, { runId: run.id, mailboxId: null, upn: "b@contoso.com" });
    const bDone = await finishRunMailbox(t.db, b.id, {
      status: "warning",
      itemsAdded: 5,
      itemsRemoved: 1,
      skips: [{ graphId: "AAMk1", reason: "corrupt_data" }],
      throttled: 3,
    });
    expect(bDone.skips).toEqual([{ graphId: "AAMk1", reason: "corrupt_data" }]);
    await expect(finishRunMailbox(t.db, b.id, { status: "success" })).rejects.toThrow(/not running/);

    await appendRunLog(t.db, run.id, { level: "info", message: "started" });
    const warn = await appendRunLog(t.db, run.id, {
      level: "warning",
      message: "1 item skipped",
      mailboxUpn: "b@contoso.com",
    });
    await appendRunLog(t.db, run.id, { level: "info", message: "done" });
    expect((await listRunLogs(t.db, run.id)).map((l) => l.message)).toEqual([
      "started",
      "1 item skipped",
      "done",
    ]);
    expect((await listRunLogs(t.db, run.id, { afterId: warn.id })).map((l) => l.message)).toEqual(["done"]);

    const finished = await finishTaskRun(t.db, run.id, { result: "warning", message: "1 item skipped" });
    expect(finished).toMatchObject({
      status: "warning",
      mailboxes_done: 2,
      items_added: 15,
      items_changed: 2,
      items_removed: 1,
      skips: 1,
    });
    expect(finished.finished_at).toBeInstanceOf(Date);
    expect(await findTaskById(t.db, task.id)).toMatchObject({
      status: "scheduled",
      sequence: 17,
      last_result: "warning",
      last_result_message: "1 item skipped",
    });
    expect((await listRunMailboxes(t.db, run.id)).map((m) => [m.upn, m.status])).toEqual([
      ["a@contoso.com", "success"],
      ["b@contoso.com", "warning"],
    ]);
    await expect(finishTaskRun(t.db, run.id, { result: "success" })).rejects.toThrow(/not running/);
    expect((await listTaskRuns(t.db, task.id)).map((r) => r.id)).toEqual([run.id]);
  });

  it("closes runs whose worker stopped sending heartbeats", async () => {
    const task = await createTask(t.db, { ...config, name: "Stale" }, "admin");
    const run = await startTaskRun(t.db, { taskId: task.id });
    expect(await failStaleTaskRuns(t.db, new Date(Date.now() - 60_000))).toEqual([]);
    const closed = await failStaleTaskRuns(t.db, new Date(Date.now() + 60_000));
    expect(closed.map((r) => r.id)).toEqual([run.id]);
    expect(await findTaskRunById(t.db, run.id)).toMatchObject({
      status: "error",
      message: "the worker stopped responding",
    });
    expect(await findTaskById(t.db, task.id)).toMatchObject({ status: "scheduled", last_result: "error" });
  });
});
