import { listAccessibleMailboxes, listDelegates } from "@coffer/db/access/delegates";
import { findMailboxByUpn } from "@coffer/db/mailboxes/mailboxes";
import { ensureSite } from "@coffer/db/tasks/sites";
import { findTaskById } from "@coffer/db/tasks/tasks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDefinition } from "../tasks/api-definitions";
import { getTaskRun } from "../tasks/api-runs";
import { createSchedule } from "../tasks/api-schedules";
import { createTask } from "../tasks/api-tasks";
import { runTask } from "../tasks/run-task";
import { startTasksHarness, type TTasksHarness } from "../tasks/testing/harness";

/**
 * Mailbox Permissions Sync against the simulator: Full Access and Send As through the Exchange admin
 * API's InvokeCommand, calendar sharing through Graph, into the delegates the portal authorizes with;
 * a permission removed in Microsoft 365 disappears at the next run.
 */

const D = "perms.example";
let h: TTasksHarness;
let taskId: string;
const upn = (n: string) => `${n}@${D}`;

beforeAll(async () => {
  h = await startTasksHarness();
  for (const n of ["boss", "assistant", "sender", "viewer", "peeker", "blocked", "admin"]) {
    await h.ctl.createUser({ userPrincipalName: upn(n), displayName: n });
  }
  await h.ctl.setMailboxPermissions(upn("boss"), [
    { user: upn("assistant"), accessRights: ["FullAccess"] },
    // Inherited (an organisation-wide admin grant) and denied entries are not delegations.
    { user: upn("admin"), accessRights: ["FullAccess"], isInherited: true },
    { user: upn("blocked"), accessRights: ["FullAccess"] },
    { user: upn("blocked"), accessRights: ["FullAccess"], deny: true },
  ]);
  await h.ctl.setRecipientPermissions(upn("boss"), [{ trustee: upn("sender"), accessRights: ["SendAs"] }]);
  await h.ctl.setCalendarPermissions(upn("boss"), [
    { emailAddress: { name: "viewer", address: upn("viewer") }, role: "read" },
    { emailAddress: { name: "peeker", address: upn("peeker") }, role: "freeBusyRead" },
    {
      emailAddress: { name: "Partner", address: "someone@partner.example" },
      role: "read",
      isInsideOrganization: false,
    },
  ]);
  const site = await ensureSite(h.db, `perms-${Date.now()}`);
  const schedule = await createSchedule(
    h.ctx,
    { name: `Perms ${Date.now()}`, kind: "cron", cron: "0 4 * * *" },
    "a",
  );
  const definition = await createDefinition(
    h.ctx,
    { type: "permissions_sync", name: `All permissions ${Date.now()}`, settings: {} },
    "a",
  );
  taskId = (
    await createTask(
      h.ctx,
      {
        name: "Permissions",
        siteId: site.id,
        scheduleId: schedule.id,
        definitionId: definition.id,
        target: { kind: "mailbox", address: upn("boss") },
      },
      "a",
    )
  ).id;
});
afterAll(async () => {
  await h?.close();
});

async function delegatesOfBoss() {
  const boss = (await findMailboxByUpn(h.db, upn("boss")))!;
  return (await listDelegates(h.db, boss.id)).map((d) => `${d.source}:${d.delegate_upn}:${d.rights}`).sort();
}
const canOpenBoss = async (who: string) => {
  const entraId = (await h.ctl.users()).find((u) => u.userPrincipalName === upn(who))!.id;
  return (await listAccessibleMailboxes(h.db, entraId)).some((m) => m.upn === upn("boss"));
};

describe("Mailbox Permissions Sync", () => {
  it("reads Full Access, Send As and calendar delegation into delegates", async () => {
    const out = await runTask(h.engine, { taskId, trigger: "manual" });
    expect(out).toMatchObject({ kind: "finished", result: "warning" });
    expect(await delegatesOfBoss()).toEqual([
      `calendar:${upn("viewer")}:read`,
      `full_access:${upn("assistant")}:FullAccess`,
      `send_as:${upn("sender")}:SendAs`,
    ]);
    // The partner's calendar share has no directory user: reported, not stored.
    const run = await getTaskRun(h.ctx, out.kind === "finished" ? out.runId : "");
    expect(run.mailboxes).toEqual([
      expect.objectContaining({
        upn: upn("boss"),
        status: "warning",
        itemsAdded: 3,
        skips: [
          {
            graphId: "someone@partner.example",
            reason: "delegate_not_found",
            detail: "calendar: no directory user someone@partner.example",
          },
        ],
      }),
    ]);
    // What the portal authorizes with: Full Access and calendar read open the archive; Send As alone does not.
    expect(await canOpenBoss("assistant")).toBe(true);
    expect(await canOpenBoss("viewer")).toBe(true);
    expect(await canOpenBoss("sender")).toBe(false);
    expect(await canOpenBoss("blocked")).toBe(false);
    expect(await canOpenBoss("admin")).toBe(false);
    // Delegate changes are not "submissions": the Sequence stays 0 for this type.
    expect((await findTaskById(h.db, taskId))?.sequence).toBe(0);
  });

  it("a permission removed in Microsoft 365 removes the delegate at the next run", async () => {
    await h.ctl.setMailboxPermissions(upn("boss"), [
      { user: upn("admin"), accessRights: ["FullAccess"], isInherited: true },
    ]);
    await h.ctl.setCalendarPermissions(upn("boss"), [
      { emailAddress: { name: "viewer", address: upn("viewer") }, role: "write" },
    ]);
    await h.ctl.setRecipientPermissions(upn("boss"), []);
    const out = await runTask(h.engine, { taskId, trigger: "manual" });
    expect(out).toMatchObject({
      kind: "finished",
      result: "success",
      message: "1 mailbox: 1 processed; delegates 0 added, 1 changed, 2 removed.",
    });
    expect(await delegatesOfBoss()).toEqual([`calendar:${upn("viewer")}:write`]);
    expect(await canOpenBoss("assistant")).toBe(false);
    expect(await canOpenBoss("viewer")).toBe(true);
  });
});
