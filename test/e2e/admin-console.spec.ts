import { listTaskRuns } from "@coffer/db/tasks/task-runs";
import { listTasks } from "@coffer/db/tasks/tasks";
import { expect, type Page, test } from "@playwright/test";
import { SimControl } from "../m365-sim/src/client";
import { closeE2eDb, configCounts, e2eDb, seedTaskIds, startWorker } from "./admin-helpers";
import { readFixture } from "./support/fixture";
import { expectAccessible, signedInAs } from "./support/roles";

/**
 * The admin console end to end, signed in through the simulator's sign-in page as an administrator, with
 * a real worker process serving the e2e site: the wizard creates a task for a directory group, Run now
 * shows the run's progress changing live (no reload), the logs list leads to per-mailbox rows, the
 * dashboard counts it with its traffic light; bad input in every form is refused with a sentence next to
 * the field and saves nothing; each page has no serious or critical axe findings.
 */
signedInAs("dave");
test.describe.configure({ mode: "serial" });

const GROUP = "E2E Sales Team";
// Unique per run: a reused e2e server (outside CI) keeps the tasks of earlier runs.
const RUN = Date.now().toString(36);
const TASK = `E2E Sales — folder replication ${RUN}`;
const SCHEDULE = `E2E yearly ${RUN}`;
let worker: ReturnType<typeof startWorker> | undefined;
let sim: SimControl | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForIdleRuns(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await listTasks(e2eDb());
    const running = tasks.filter((t) => t.status === "running");
    if (running.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`tasks still running: ${running.map((t) => t.name).join(", ")}`);
    await sleep(500);
  }
}

test.beforeAll(async () => {
  const fx = readFixture();
  await seedTaskIds();
  sim = new SimControl({ url: fx.sim.url, caFile: fx.sim.caFile });
  const existing = (await sim.groups()).find((g) => g.displayName === GROUP);
  if (!existing) {
    await sim.createGroup({
      displayName: GROUP,
      kind: "m365",
      mail: "e2e-sales@contoso-e2e.com",
      memberUpns: [fx.users.alice.upn, fx.users.bob.upn, fx.users.carol.upn],
    });
  }
  worker = startWorker();
  // The worker's start may run the default task (interval schedule): let it finish before we measure.
  await sleep(3000);
  await waitForIdleRuns(90_000);
});

test.afterAll(async () => {
  await sim?.setFaults({ latencyMs: 0 } as Parameters<SimControl["setFaults"]>[0]).catch(() => undefined);
  sim?.close();
  await worker?.stop();
  await closeE2eDb();
});

async function checkA11y(page: Page, what: string) {
  await expectAccessible(page, what);
  await page.screenshot({ path: test.info().outputPath(`${what.replace(/\W+/g, "-")}.png`), fullPage: true });
}

test("the wizard creates a task for a directory group and it appears in the list", async ({ page }) => {
  await page.goto("/admin/exchange-services");
  await checkA11y(page, "exchange services dashboard");
  await page.getByRole("link", { name: "New Exchange Task" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New Exchange Task" })).toBeVisible();
  await checkA11y(page, "wizard step 1");

  await page.getByRole("radio", { name: /^e2e/ }).check();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: /Step 2 of 6/ })).toBeFocused();
  // Create new: a schedule that will not start the task by itself during the test (an interval would
  // run it at once), so its status stays Unknown until Run now.
  await page.getByRole("button", { name: "Create new schedule" }).click();
  const newSchedule = page.getByRole("form", { name: "New schedule" });
  await newSchedule.getByRole("textbox", { name: /^Name/ }).fill(SCHEDULE);
  await newSchedule.getByRole("radio", { name: "On a cron expression" }).check();
  await newSchedule.getByRole("textbox", { name: "Cron expression" }).fill("0 3 1 1 *");
  await newSchedule.getByRole("button", { name: "Create schedule" }).click();
  await expect(page.getByLabel(/^Schedule/)).toHaveValue(/[0-9a-f-]{36}/);
  await expect(page.getByLabel(/^Schedule/).locator("option:checked")).toHaveText(new RegExp(SCHEDULE));
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("radio", { name: /Mailbox Folder Replication/ }).check();
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel(/definition: the settings/).selectOption({ index: 1 });
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByRole("radio", { name: "Look up a group in the directory" }).check();
  await page.getByLabel("Group name starts with").fill("E2E Sales");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("1 group found.")).toBeVisible();
  await page.getByRole("radio", { name: new RegExp(GROUP) }).check();
  await checkA11y(page, "wizard group step");
  await page.getByRole("button", { name: "Next" }).click();
  await page.getByLabel("Task name").fill(TASK);
  await page.getByRole("button", { name: "Save and Exit" }).click();

  await expect(page).toHaveURL(/\/admin\/exchange-services\/tasks\?created=/);
  await expect(page.getByRole("status").filter({ hasText: `“${TASK}” created` })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: TASK });
  await expect(row).toContainText(`Group ${GROUP}`);
  await expect(row).toContainText("Unknown");
  await checkA11y(page, "task list");
});

test("Run now: the progress changes live on the task page, without a reload", async ({ page }) => {
  const task = (await listTasks(e2eDb())).find((t) => t.name === TASK);
  expect(task).toBeDefined();
  // Slow Graph down so each of the three mailboxes takes a few seconds: the progress has steps to show.
  await sim!.setFaults({ latencyMs: 600, match: "mailFolders|messages" } as Parameters<
    SimControl["setFaults"]
  >[0]);
  await page.goto(`/admin/exchange-services/tasks/${task!.id}`);
  await page.evaluate(() => {
    (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
  });
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByText(/Run requested/)).toBeVisible();

  const status = page.getByTestId("task-status");
  const detail = page.getByTestId("latest-detail");
  await expect(status).toHaveText("Running", { timeout: 20_000 });
  await expect(page.getByTestId("task-command")).toHaveText("Replicating folders");
  // Two different mailbox counts seen while running, then the end: all of it in the same document.
  await expect(detail).toHaveText(/[0-2] of 3 mailboxes/, { timeout: 20_000 });
  const first = await detail.textContent();
  await expect(detail).not.toHaveText(first ?? "", { timeout: 30_000 });
  await checkA11y(page, "task information running");
  await expect(status).toHaveText("Scheduled", { timeout: 60_000 });
  await expect(detail).toHaveText("3 of 3 mailboxes");
  await expect(page.getByTestId("last-result")).toContainText(/Success|Warning/);
  expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(
    true,
  );
  await sim!.setFaults({ latencyMs: 0 } as Parameters<SimControl["setFaults"]>[0]);
});

test("the logs list leads to the run's per-mailbox rows", async ({ page }) => {
  const fx = readFixture();
  const task = (await listTasks(e2eDb())).find((t) => t.name === TASK)!;
  const [run] = await listTaskRuns(e2eDb(), task.id, 1);
  expect(run).toBeDefined();
  await page.goto(`/admin/exchange-services/tasks/${task.id}`);
  await page.getByRole("link", { name: "Logs" }).click();
  await expect(page.getByRole("heading", { name: "Task Summary Logs" })).toBeVisible();
  await checkA11y(page, "task summary logs");
  await page.locator(`tr[data-run-id="${run!.id}"]`).getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Mailboxes" })).toBeVisible();
  for (const who of ["alice", "bob", "carol"] as const) {
    await expect(page.getByRole("rowheader", { name: fx.users[who].upn })).toBeVisible();
  }
  await checkA11y(page, "run detail");
});

test("the dashboard counts definitions and tasks per type and shows the traffic light", async ({ page }) => {
  await page.goto("/admin/exchange-services");
  const folderRow = page.locator('tr[data-type="folder_replication"]');
  const tasks = (await listTasks(e2eDb())).filter((t) => t.type === "folder_replication").length;
  await expect(folderRow.getByRole("link", { name: new RegExp(`^${tasks} Tasks? of`) })).toBeVisible();
  for (const type of ["storage_management", "managed_folders"]) {
    await expect(page.locator(`tr[data-type="${type}"]`)).toContainText("Not available in this version");
  }
  const activity = page.getByRole("row").filter({ hasText: TASK }).first();
  await expect(activity.locator("[data-result]")).toHaveAttribute("data-result", /success|warning/);
  await folderRow.getByRole("link", { name: /Tasks? of/ }).click();
  await expect(page).toHaveURL(/type=folder_replication/);
  await expect(page.getByRole("row").filter({ hasText: TASK })).toBeVisible();

  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Sync Overview" })).toBeVisible();
  await expect(page.getByTestId("stat-mailboxes")).toContainText(/\d/);
  await checkA11y(page, "sync overview");
  await page.goto("/admin/exchange-services/sites");
  await expect(page.locator('tr[data-site="e2e"]')).toContainText("Online");
  await checkA11y(page, "sites");
});

test("bad input in the schedule and definition forms is refused next to the field and saves nothing", async ({
  page,
}) => {
  const before = await configCounts();
  await page.goto("/admin/exchange-services/schedules/new");
  await checkA11y(page, "new schedule");
  await page.getByRole("radio", { name: "On a cron expression" }).check();
  await page.getByRole("textbox", { name: "Cron expression" }).fill("61 * * * *");
  await page.getByRole("button", { name: "Save and Exit" }).click();
  await expect(page.getByText("Give the schedule a name.")).toBeVisible();
  await expect(page.getByText(/"61 \* \* \* \*" is not a valid cron expression/)).toBeVisible();
  await expect(page.getByRole("textbox", { name: "Cron expression" })).toHaveAttribute(
    "aria-invalid",
    "true",
  );
  await page.getByRole("textbox", { name: /^Name/ }).fill("E2E bad cron");
  await page.getByRole("textbox", { name: "Cron expression" }).fill("every day");
  await page.getByRole("button", { name: "Save and Exit" }).click();
  await expect(page.getByText(/needs five fields/)).toBeVisible();
  await checkA11y(page, "schedule form errors");

  await page.goto("/admin/exchange-services/definitions/new?type=managed_folders");
  await page.getByLabel(/Managed folders, one per line/).fill("Projects; soon\n; 30");
  await page.getByRole("button", { name: "Save and Exit" }).click();
  await expect(page.getByText("Give the definition a name.")).toBeVisible();
  await page.getByRole("textbox", { name: /^Name/ }).fill(`E2E bad folders ${RUN}`);
  await page.getByRole("button", { name: "Save and Exit" }).click();
  await expect(page.getByText(/^Line 1: /)).toBeVisible();
  await expect(page.getByText(/^Line 2: /)).toBeVisible();
  await checkA11y(page, "definition form errors");

  await page.goto("/admin/exchange-services/schedules");
  await checkA11y(page, "schedules");
  await page.goto("/admin/exchange-services/definitions");
  await checkA11y(page, "definitions");
  expect(await configCounts()).toEqual(before);
});

test("bad input in the wizard is refused on its step and saves nothing", async ({ page }) => {
  const before = await configCounts();
  const toGroupStep = async () => {
    await page.goto("/admin/exchange-services/tasks/new");
    await page.getByRole("radio", { name: /^e2e/ }).check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/^Schedule/).selectOption({ index: 1 });
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("radio", { name: /Mailbox Folder Replication/ }).check();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/definition: the settings/).selectOption({ index: 1 });
    await page.getByRole("button", { name: "Next" }).click();
  };
  const saveWith = async (name: string) => {
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Task name").fill(name);
    await page.getByRole("button", { name: "Save and Exit" }).click();
  };

  // An unknown group (a DN no directory group has).
  await toGroupStep();
  await page.getByRole("radio", { name: "Enter a group's DN manually" }).check();
  await page.getByLabel("Group DN").fill("CN=Nobody,OU=Groups,DC=contoso-e2e,DC=com");
  await saveWith("E2E unknown group");
  await expect(page.getByRole("heading", { name: /Step 5 of 6/ })).toBeVisible();
  await expect(page.getByText(/No group in the directory has the distinguished name/)).toBeVisible();
  await checkA11y(page, "wizard unknown group");

  // An empty list of mailboxes.
  await page.getByRole("radio", { name: "Enter mailbox addresses" }).check();
  await page.getByLabel("Mailbox addresses, separated by ;").fill(" ; ");
  await saveWith("E2E empty list");
  await expect(page.getByText("The list of mailboxes is empty: enter at least one address.")).toBeVisible();

  // Malformed addresses.
  await page
    .getByLabel("Mailbox addresses, separated by ;")
    .fill("alice.archer@contoso-e2e.com; not-an-address");
  await saveWith("E2E malformed");
  await expect(page.getByText(/"not-an-address" is not a valid e-mail address/)).toBeVisible();

  // A missing name (the target is fine).
  await page.getByRole("radio", { name: "All licensed mailboxes" }).check();
  await saveWith("");
  await expect(page.getByRole("heading", { name: /Step 6 of 6/ })).toBeVisible();
  await expect(page.getByText("Give the task a name.")).toBeVisible();

  expect(await configCounts()).toEqual(before);
});
