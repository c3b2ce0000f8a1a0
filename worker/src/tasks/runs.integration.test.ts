import { findMailboxByUpn } from "@coffer/db/mailboxes/mailboxes";
import { placeLegalHold } from "@coffer/db/retention/legal-holds";
import { listRunMailboxes } from "@coffer/db/tasks/task-runs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { taskSchedulerId } from "../jobs/names";
import type { TWorkerHandle } from "../runtime/start-worker";
import { listMailboxAt } from "../sync/list-mailbox";
import { createDefinition, updateDefinition } from "./api-definitions";
import { deleteTask, describeTaskDeletion } from "./api-delete";
import { getTaskRun, listTaskRuns } from "./api-runs";
import { createSchedule, updateSchedule } from "./api-schedules";
import {
  createTask,
  getTask,
  getTaskProgress,
  runTaskNow,
  subscribeTaskProgress,
  updateTask,
} from "./api-tasks";
import { TaskInputError } from "./errors";
import type { TTaskProgressEvent } from "./progress";
import { startTasksHarness, type TTasksHarness } from "./testing/harness";

/**
 * Task runs end to end: the worker runtime consumes its site's queue (BullMQ on the run's Redis), the
 * runner drives the archive engine against the simulator, results land in PostgreSQL.
 */

const D = "runs.example";
let h: TTasksHarness;
let worker: TWorkerHandle;
let yearly: string;
let mailDef: string;

function mime(subject: string, id: string): string {
  return [
    `From: Sender <sender@${D}>`,
    `To: someone@${D}`,
    `Subject: ${subject}`,
    `Date: Tue, 10 Nov 2026 10:00:00 +0000`,
    `Message-ID: <${id}@${D}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

async function mailbox(
  name: string,
  messages: Array<[string, string]>,
  extra: { accountEnabled?: boolean } = {},
) {
  const upn = `${name}@${D}`;
  const { id } = await h.ctl.createUser({ userPrincipalName: upn, displayName: name, ...extra });
  for (const [i, [folder, subject]] of messages.entries()) {
    await h.ctl.uploadMessage(upn, mime(subject, `${name}-${i}`), { folder });
  }
  return { upn, id };
}

/** Slows Graph down for these users' mailboxes, so runs are still going when the test acts. */
async function slow(userIds: string[], latencyMs = 250) {
  await h.ctl.setFaults({ latencyMs, match: `users/(${userIds.join("|")})/` });
}

async function newTask(
  name: string,
  target: Parameters<typeof createTask>[1]["target"],
  definitionId = mailDef,
) {
  return createTask(
    h.ctx,
    { name, siteId: worker.site.id, scheduleId: yearly, definitionId, target },
    "admin@runs.example",
  );
}

beforeAll(async () => {
  h = await startTasksHarness({ mailboxParallelism: 2 });
  worker = await h.startWorker({ reconcileMs: 300, heartbeatMs: 300 });
  // A schedule that never fires during the tests: runs are started with "run now".
  yearly = (
    await createSchedule(h.ctx, { name: "Yearly", kind: "cron", cron: "0 3 1 1 *" }, "admin@runs.example")
  ).id;
  mailDef = (
    await createDefinition(
      h.ctx,
      { type: "folder_replication", name: "All mail", settings: { dataTypes: ["mail"] } },
      "admin@runs.example",
    )
  ).id;
});
afterAll(async () => {
  await h?.close();
});

describe("a task run", () => {
  it("goes Unknown → Running → Scheduled with command, latest detail, sequence, per-mailbox rows and logs", async () => {
    await mailbox("alice", [
      ["Inbox", "a1"],
      ["Inbox", "a2"],
      ["Sent Items", "a3"],
    ]);
    await mailbox("bob", [["Inbox", "b1"]]);
    await mailbox("dora", [["Inbox", "d1"]], { accountEnabled: false });
    const { id: groupId } = await h.ctl.createGroup({
      displayName: "Run Group",
      kind: "distribution",
      mail: `rungroup@${D}`,
      memberUpns: [`alice@${D}`, `bob@${D}`, `dora@${D}`],
    });
    const task = await newTask("Run group", { kind: "group_lookup", groupId });
    expect(task.status).toBe("unknown");

    const events: TTaskProgressEvent[] = [];
    const unsubscribe = await subscribeTaskProgress(h.ctx, (e) => events.push(e), { taskId: task.id });
    const r = await runTaskNow(h.ctx, task.id, "admin@runs.example", { wait: true, timeoutMs: 60_000 });
    await unsubscribe();

    expect(r.outcome).toMatchObject({ kind: "finished", result: "warning" });
    expect(r.outcome?.kind === "finished" && r.outcome.message).toBe(
      "3 mailboxes: 2 processed, 1 skipped; items 4 added, 0 changed, 0 removed.",
    );
    // Live progress: running events with the seed's Command and "n of N mailboxes — upn", then the result.
    const running = events.filter((e) => e.status === "running");
    expect(running.length).toBeGreaterThan(0);
    expect(running.some((e) => e.command === "Replicating folders")).toBe(true);
    expect(running.some((e) => /^\d of 3 mailboxes — \w+@runs\.example$/.test(e.latestDetail ?? ""))).toBe(
      true,
    );
    expect(events.at(-1)).toMatchObject({
      status: "scheduled",
      lastResult: "warning",
      mailboxesDone: 3,
      mailboxesTotal: 3,
    });

    const shown = await getTask(h.ctx, "Run group");
    expect(shown).toMatchObject({
      status: "scheduled",
      command: null,
      sequence: 4,
      lastResult: "warning",
      lastResultMessage: "3 mailboxes: 2 processed, 1 skipped; items 4 added, 0 changed, 0 removed.",
      latestDetail: expect.stringMatching(/^3 of 3 mailboxes/),
      currentRun: null,
      lastRun: { trigger: "manual", status: "warning", mailboxesDone: 3, mailboxesTotal: 3, itemsAdded: 4 },
    });
    expect(await getTaskProgress(h.ctx, task.id)).toMatchObject({
      status: "scheduled",
      lastResult: "warning",
      mailboxesDone: 3,
    });

    const runId = shown.lastRun!.id;
    const detail = await getTaskRun(h.ctx, runId);
    const rows = Object.fromEntries(detail.mailboxes.map((m) => [m.upn, m]));
    expect(rows[`alice@${D}`]).toMatchObject({ status: "success", itemsAdded: 3, errors: 0 });
    expect(rows[`bob@${D}`]).toMatchObject({ status: "success", itemsAdded: 1 });
    expect(rows[`dora@${D}`]).toMatchObject({
      status: "skipped",
      message: "the account is disabled",
      itemsAdded: 0,
    });
    expect(rows[`alice@${D}`]!.durationSeconds).toBeGreaterThanOrEqual(0);
    const log = detail.logs.map((l) => `${l.level}: ${l.message}`);
    expect(log[0]).toMatch(/^info: Mailbox Folder Replication started \(manual by admin@runs\.example\)/);
    expect(log).toContain("info: Target: group Run Group: 3 users (membership read now).");
    expect(log).toContain(`warning: dora@${D} skipped: the account is disabled.`);
    expect(log.at(-1)).toBe(
      "warning: 3 mailboxes: 2 processed, 1 skipped; items 4 added, 0 changed, 0 removed.",
    );
    expect((await listTaskRuns(h.ctx, task.id)).map((x) => x.id)).toEqual([runId]);

    // The second run is differential: nothing new, success; the Sequence does not move.
    const again = await runTaskNow(h.ctx, task.id, "admin@runs.example", { wait: true, timeoutMs: 60_000 });
    expect(again.outcome).toMatchObject({ kind: "finished", result: "warning" });
    expect((await getTask(h.ctx, task.id)).sequence).toBe(4);
  });

  it("replicates the definition's other data types and calendars (Calendar Replication) through the PIM sync", async () => {
    const upn = `pim@${D}`;
    await h.ctl.createUser({ userPrincipalName: upn, displayName: "Pim" });
    await h.ctl.createEvent(upn, {
      subject: "Planning",
      start: { dateTime: "2026-11-24T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-11-24T10:00:00", timeZone: "UTC" },
    });
    await h.ctl.createContact(upn, {
      displayName: "Zoe Partner",
      emailAddresses: [{ address: "zoe@partner.example" }],
    });
    const mailAndContacts = await createDefinition(
      h.ctx,
      {
        type: "folder_replication",
        name: "Mail and contacts",
        settings: { dataTypes: ["mail", "contacts"] },
      },
      "a",
    );
    const folders = await newTask("PIM folders", { kind: "mailbox", address: upn }, mailAndContacts.id);
    const r1 = await runTaskNow(h.ctx, folders.id, "a", { wait: true, timeoutMs: 60_000 });
    expect(r1.outcome).toMatchObject({ kind: "finished", result: "success" });
    const [row1] = (await getTaskRun(h.ctx, r1.outcome?.kind === "finished" ? r1.outcome.runId : ""))
      .mailboxes;
    expect(row1).toMatchObject({ status: "success", itemsAdded: 1 });
    expect(row1!.message).toMatch(
      /^mail: \d+ folders, 0 added, 0 changed, 0 removed; contacts: 1 added, 0 changed, 0 removed; /,
    );

    const calendarDef = await createDefinition(
      h.ctx,
      { type: "calendar_replication", name: "Calendars", settings: {} },
      "a",
    );
    const calendars = await newTask("PIM calendars", { kind: "mailbox", address: upn }, calendarDef.id);
    const r2 = await runTaskNow(h.ctx, calendars.id, "a", { wait: true, timeoutMs: 60_000 });
    expect(r2.outcome).toMatchObject({ kind: "finished", result: "success" });
    const [row2] = (await getTaskRun(h.ctx, r2.outcome?.kind === "finished" ? r2.outcome.runId : ""))
      .mailboxes;
    expect(row2).toMatchObject({ status: "success", itemsAdded: 1 });
    expect((await getTask(h.ctx, calendars.id)).sequence).toBe(1);
  });

  it("of a type not built yet ends at once with a warning that says so", async () => {
    const def = await createDefinition(
      h.ctx,
      {
        type: "managed_folders",
        name: "Cleanup",
        settings: { folders: [{ name: "Old", retentionDays: 30 }] },
      },
      "a",
    );
    const task = await newTask("Managed", { kind: "mailbox", address: `alice@${D}` }, def.id);
    const r = await runTaskNow(h.ctx, task.id, "a", { wait: true, timeoutMs: 30_000 });
    expect(r.outcome).toMatchObject({
      kind: "finished",
      result: "warning",
      message: "Managed Folders is not available in this version of Coffer; the task ran nothing.",
    });
  });
});

describe("two tasks on one mailbox", () => {
  it("the second waits for the first; both complete; their work on the mailbox never overlaps", async () => {
    const shared = await mailbox("shared", [
      ["Inbox", "s1"],
      ["Inbox", "s2"],
      ["Archive", "s3"],
    ]);
    await slow([shared.id]);
    const first = await newTask("Lock A", { kind: "mailbox", address: shared.upn });
    const second = await newTask("Lock B", { kind: "mailbox_list", addresses: shared.upn });
    const a = await runTaskNow(h.ctx, first.id, "a");
    // Start B once A holds the mailbox (its per-mailbox row exists while it works).
    const aRun = await h.waitFor(
      async () => (await getTask(h.ctx, first.id)).currentRun,
      (run) => !!run && run.mailboxesTotal === 1,
    );
    await h.waitFor(
      async () => listRunMailboxes(h.db, aRun!.id),
      (rows) => rows.length === 1,
    );
    const b = await runTaskNow(h.ctx, second.id, "b", { wait: true, timeoutMs: 60_000 });
    await h.ctl.setFaults({});
    const aOutcome = await h.ctx.producer.waitForRun(worker.site.id, a.jobId, 60_000);

    expect(aOutcome).toMatchObject({ kind: "finished", result: "success" });
    expect(b.outcome).toMatchObject({ kind: "finished", result: "success" });
    const bRunId = b.outcome?.kind === "finished" ? b.outcome.runId : "";
    const [aRow] = await listRunMailboxes(h.db, aRun!.id);
    const [bRow] = await listRunMailboxes(h.db, bRunId);
    expect(aRow!.status).toBe("success");
    expect(bRow!.status).toBe("success");
    expect(aRow!.items_added).toBe(3);
    expect(bRow!.items_added).toBe(0);
    // No overlap: B's work on the mailbox starts after A's ended.
    expect(bRow!.started_at.getTime()).toBeGreaterThanOrEqual(aRow!.finished_at!.getTime());
    const bLog = (await getTaskRun(h.ctx, bRunId)).logs.map((l) => l.message);
    expect(bLog).toContain(`${shared.upn} is being processed by another task; waiting for it.`);
  });
});

describe("changing a task while it runs", () => {
  it("applies a new definition and schedule from the next run; the running one keeps what it started with", async () => {
    const m = await mailbox("carol", [
      ["Inbox", "c1"],
      ["Inbox", "c2"],
      ["Sent Items", "c3"],
    ]);
    const inboxOnly = await createDefinition(
      h.ctx,
      {
        type: "folder_replication",
        name: "Inbox only",
        settings: { folders: { mode: "include", paths: ["Inbox"] } },
      },
      "a",
    );
    const schedule = await createSchedule(h.ctx, { name: "Nightly", kind: "cron", cron: "0 2 * * *" }, "a");
    const task = await createTask(
      h.ctx,
      {
        name: "Change me",
        siteId: worker.site.id,
        scheduleId: schedule.id,
        definitionId: inboxOnly.id,
        target: { kind: "mailbox", address: m.upn },
      },
      "a",
    );
    await slow([m.id]);
    const started = await runTaskNow(h.ctx, task.id, "a");
    const run = await h.waitFor(
      async () => (await getTask(h.ctx, task.id)).currentRun,
      (r) => !!r,
    );

    // While it runs: every folder from now on, and a new schedule.
    await updateDefinition(
      h.ctx,
      inboxOnly.id,
      { settings: { folders: { mode: "all" } } },
      "editor@runs.example",
    );
    await updateSchedule(
      h.ctx,
      schedule.id,
      { name: "Nightly", kind: "cron", cron: "30 1 * * *", timeZone: "Europe/Paris" },
      "editor@runs.example",
    );
    await updateTask(h.ctx, task.id, { name: "Changed" }, "editor@runs.example");

    const first = await h.ctx.producer.waitForRun(worker.site.id, started.jobId, 60_000);
    await h.ctl.setFaults({});
    expect(first).toMatchObject({ kind: "finished", result: "success" });
    const firstRun = await getTaskRun(h.ctx, run!.id);
    expect(firstRun.run.definitionVersion).toBe(1);
    const mbx = (await findMailboxByUpn(h.db, m.upn))!;
    const paths = async () => (await listMailboxAt(h.db, mbx.id)).items.map((i) => i.folderPath).sort();
    expect(await paths()).toEqual(["Inbox", "Inbox"]);

    // The scheduler follows the schedule within the reconcile period (here 0.3 s; production 60 s).
    await h.waitFor(
      async () =>
        (await h.ctx.producer.queue(worker.site.id).getJobScheduler(taskSchedulerId(task.id)))?.pattern,
      (p) => p === "30 1 * * *",
      10_000,
    );
    const scheduler = await h.ctx.producer.queue(worker.site.id).getJobScheduler(taskSchedulerId(task.id));
    expect(scheduler?.tz).toBe("Europe/Paris");

    const second = await runTaskNow(h.ctx, task.id, "a", { wait: true, timeoutMs: 60_000 });
    expect(second.outcome).toMatchObject({ kind: "finished", result: "success" });
    const secondRun = await getTaskRun(
      h.ctx,
      second.outcome?.kind === "finished" ? second.outcome.runId : "",
    );
    expect(secondRun.run.definitionVersion).toBe(2);
    expect(await paths()).toEqual(["Inbox", "Inbox", "Sent Items"]);
    expect(await getTask(h.ctx, task.id)).toMatchObject({
      name: "Changed",
      updatedBy: "editor@runs.example",
      configVersion: 2,
    });
  });
});

describe("deleting a task", () => {
  it("warns, needs confirmation, then resets the Full View of its mailboxes (legal hold keeps history)", async () => {
    const kept = await mailbox("hold", [
      ["Inbox", "h1"],
      ["Inbox", "h2"],
    ]);
    const reset = await mailbox("reset", [
      ["Inbox", "r1"],
      ["Inbox", "r2"],
    ]);
    const task = await newTask("Delete me", { kind: "mailbox_list", addresses: [kept.upn, reset.upn] });
    expect((await runTaskNow(h.ctx, task.id, "a", { wait: true, timeoutMs: 60_000 })).outcome).toMatchObject({
      result: "success",
    });
    // History: one message of each mailbox deleted in Microsoft 365 and the deletion replicated.
    for (const m of [kept, reset]) {
      const [first] = (await h.ctl.state(m.upn)).messages;
      await h.ctl.deleteMessage(m.upn, first!.id);
    }
    expect((await runTaskNow(h.ctx, task.id, "a", { wait: true, timeoutMs: 60_000 })).outcome).toMatchObject({
      result: "success",
    });
    const keptBox = (await findMailboxByUpn(h.db, kept.upn))!;
    const resetBox = (await findMailboxByUpn(h.db, reset.upn))!;
    await placeLegalHold(h.db, {
      mailboxId: keptBox.id,
      reason: "litigation",
      createdBy: "legal@runs.example",
    });
    // Before the deletion was replicated (the end of the first run) each mailbox held 2 messages; now 1.
    const firstRunEnd = (await listTaskRuns(h.ctx, task.id)).at(-1)!.finishedAt!;
    const countAt = async (id: string, at?: Date) => (await listMailboxAt(h.db, id, at)).items.length;
    expect([await countAt(keptBox.id, firstRunEnd), await countAt(resetBox.id, firstRunEnd)]).toEqual([2, 2]);
    expect([await countAt(keptBox.id), await countAt(resetBox.id)]).toEqual([1, 1]);

    const preview = await describeTaskDeletion(h.ctx, task.id);
    expect(preview).toMatchObject({
      mailboxCount: 2,
      mailboxesOnHold: 1,
      resetsFullView: true,
      isRunning: false,
    });
    expect(preview.warning).toMatch(
      /^Removing the task "Delete me" will reset the Exchange Folders Full View for all 2 mailboxes processed by the task: .* 1 mailbox is under legal hold and keeps its history\.$/,
    );
    await expect(deleteTask(h.ctx, task.id, { confirm: false }, "a")).rejects.toBeInstanceOf(TaskInputError);
    expect((await getTask(h.ctx, task.id)).id).toBe(task.id);
    expect(await countAt(resetBox.id, firstRunEnd)).toBe(2);

    const result = await deleteTask(h.ctx, task.id, { confirm: true }, "admin@runs.example");
    expect(
      result.fullViewReset.sort((x, y) => Number(x.isKeptForLegalHold) - Number(y.isKeptForLegalHold)),
    ).toEqual([
      { mailboxId: resetBox.id, isKeptForLegalHold: false, folderVersionsRemoved: 0, itemVersionsRemoved: 1 },
      { mailboxId: keptBox.id, isKeptForLegalHold: true, folderVersionsRemoved: 0, itemVersionsRemoved: 0 },
    ]);
    // The reset mailbox shows only what it holds now, at any earlier time too; the held one keeps its history.
    expect([await countAt(resetBox.id, firstRunEnd), await countAt(resetBox.id)]).toEqual([1, 1]);
    expect([await countAt(keptBox.id, firstRunEnd), await countAt(keptBox.id)]).toEqual([2, 1]);
    await expect(getTask(h.ctx, task.id)).rejects.toThrow(/There is no task/);
    expect(
      await h.ctx.producer.queue(worker.site.id).getJobScheduler(taskSchedulerId(task.id)),
    ).toBeUndefined();
  });
});
