import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isolatedEnv } from "@coffer/test/setup/processes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TWorkerHandle } from "../runtime/start-worker";
import { createDefinition } from "../tasks/api-definitions";
import { createSchedule } from "../tasks/api-schedules";
import { createTask } from "../tasks/api-tasks";
import { startTasksHarness, type TTasksHarness } from "../tasks/testing/harness";

/** `coffer tasks …` as a user runs it: a real process, the run's database and Redis, a worker of the site. */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = path.join(ROOT, "worker/bin/coffer.js");
const run = promisify(execFile);

let h: TTasksHarness;
let worker: TWorkerHandle;
let home: string;

async function coffer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: isolatedEnv({ ...h.childEnv(), M365_EXCHANGE_URL: h.sim.exchangeUrl, COFFER_HOME: home }),
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

beforeAll(async () => {
  h = await startTasksHarness();
  home = mkdtempSync(path.join(tmpdir(), "coffer-home-"));
  worker = await h.startWorker();
  await h.ctl.createUser({ userPrincipalName: "cli@cli.example", displayName: "Cli" });
  await h.ctl.uploadMessage(
    "cli@cli.example",
    "Subject: hi\r\nMessage-ID: <cli-1@cli.example>\r\n\r\nhi\r\n",
    { folder: "Inbox" },
  );
  const schedule = await createSchedule(h.ctx, { name: "CLI yearly", kind: "cron", cron: "0 6 1 1 *" }, "a");
  const definition = await createDefinition(
    h.ctx,
    { type: "folder_replication", name: "CLI mail", settings: { dataTypes: ["mail"] } },
    "a",
  );
  await createTask(
    h.ctx,
    {
      name: "CLI task",
      siteId: worker.site.id,
      scheduleId: schedule.id,
      definitionId: definition.id,
      target: { kind: "mailbox", address: "cli@cli.example" },
    },
    "admin@cli.example",
  );
});
afterAll(async () => {
  await h?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("coffer tasks", () => {
  it("runs now and waits, shows the task and reads the run's log; errors are JSON too", async () => {
    const runNow = await coffer("tasks", "run-now", "CLI task", "--wait", "--json");
    expect(runNow.code).toBe(0);
    const outcome = (
      JSON.parse(runNow.stdout) as { outcome: { kind: string; result: string; runId: string } }
    ).outcome;
    expect(outcome).toMatchObject({ kind: "finished", result: "success" });

    const show = await coffer("tasks", "show", "CLI task");
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^Status +scheduled$/m);
    expect(show.stdout).toMatch(/^Latest Detail +1 of 1 mailboxes$/m);
    expect(show.stdout).toMatch(/^Sequence +1$/m);
    expect(show.stdout).toMatch(/^Last Result +success: 1 mailbox: 1 processed; items 1 added/m);

    const logs = await coffer("tasks", "logs", "CLI task", "--run", outcome.runId);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^ {2}success +cli@cli\.example {2}\+1 ~0 -0/m);

    const missing = await coffer("tasks", "show", "No such task", "--json");
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({
      ok: false,
      error: 'There is no task with the id or name "No such task".',
    });
  });
});
