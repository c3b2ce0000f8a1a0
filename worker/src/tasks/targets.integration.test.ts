import { listDefinitions as dbListDefinitions } from "@coffer/db/tasks/definitions";
import { listSchedules as dbListSchedules } from "@coffer/db/tasks/schedules";
import { ensureSite } from "@coffer/db/tasks/sites";
import { listTasks as dbListTasks } from "@coffer/db/tasks/tasks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMBERSHIP_TTL_MS } from "../directory/membership-cache";
import { resolveTargetUsers } from "../directory/resolve-target";
import { createDefinition } from "./api-definitions";
import { createSchedule } from "./api-schedules";
import { createTask, lookupGroups, type TTaskInput } from "./api-tasks";
import { TaskInputError } from "./errors";
import { startTasksHarness, type TTasksHarness } from "./testing/harness";

/**
 * Targets against the simulator's directory: each kind, nested groups, skipped accounts, the one-hour
 * membership cache (with a moved clock), and every kind of bad form input (nothing saved).
 */

const D = "targets.example";
let h: TTasksHarness;
let ids: { siteId: string; scheduleId: string; definitionId: string };
const group: Record<string, string> = {};

async function users(...names: Array<[string, { accountEnabled?: boolean; licensed?: boolean }?]>) {
  for (const [n, extra] of names) {
    await h.ctl.createUser({ userPrincipalName: `${n}@${D}`, displayName: n, ...extra });
  }
}
const upnsOf = (r: { users: Array<{ userPrincipalName: string }> }) =>
  r.users.map((u) => u.userPrincipalName).sort();

beforeAll(async () => {
  h = await startTasksHarness();
  await users(
    ["ann"],
    ["ben"],
    ["cat"],
    ["dan", { accountEnabled: false }],
    ["eve", { licensed: false }],
    ["fay"],
  );
  group.inner = (
    await h.ctl.createGroup({
      displayName: "Inner Security",
      kind: "security",
      memberUpns: [`cat@${D}`, `dan@${D}`],
    })
  ).id;
  group.sales = (
    await h.ctl.createGroup({
      displayName: "Sales Distribution",
      kind: "distribution",
      mail: `sales@${D}`,
      proxyAddresses: [`SMTP:sales@${D}`, `smtp:verkauf@${D}`],
      onPremisesDistinguishedName: `CN=Sales Distribution,OU=Groups,DC=targets,DC=example`,
      memberUpns: [`ann@${D}`, `eve@${D}`],
      memberGroupIds: [group.inner],
    })
  ).id;
  group.team = (
    await h.ctl.createGroup({
      displayName: "Team M365",
      kind: "m365",
      mail: `team@${D}`,
      memberUpns: [`ben@${D}`],
    })
  ).id;
  const site = await ensureSite(h.db, `targets-${Date.now()}`);
  const schedule = await createSchedule(
    h.ctx,
    { name: `Hourly ${Date.now()}`, kind: "interval", intervalMinutes: 60 },
    "admin@test",
  );
  const definition = await createDefinition(
    h.ctx,
    { type: "folder_replication", name: `Mail ${Date.now()}`, settings: {} },
    "admin@test",
  );
  ids = { siteId: site.id, scheduleId: schedule.id, definitionId: definition.id };
});
afterAll(async () => {
  await h?.close();
});

describe("each target kind resolves through Graph", () => {
  it("a group looked up by id: transitive users, nested groups flattened", async () => {
    const r = await resolveTargetUsers(h.engine.directory, {
      target_kind: "group_lookup",
      target_value: "Sales Distribution",
      target_group_id: group.sales!,
    });
    expect(upnsOf(r)).toEqual([`ann@${D}`, `cat@${D}`, `dan@${D}`, `eve@${D}`]);
    // Disabled and unlicensed members come back with their state; the runner skips them with a reason.
    expect(r.users.find((u) => u.userPrincipalName === `dan@${D}`)?.accountEnabled).toBe(false);
    expect(r.users.find((u) => u.userPrincipalName === `eve@${D}`)?.isLicensed).toBe(false);
  });

  it("a group DN typed by hand, matched case- and space-insensitively", async () => {
    const r = await resolveTargetUsers(h.engine.directory, {
      target_kind: "group_dn",
      target_value: "cn=sales distribution, ou=Groups, dc=targets, dc=example",
      target_group_id: null,
    });
    expect(upnsOf(r)).toEqual([`ann@${D}`, `cat@${D}`, `dan@${D}`, `eve@${D}`]);
  });

  it("a group e-mail address (primary or alias), or a user's address as one mailbox", async () => {
    const byAlias = await resolveTargetUsers(h.engine.directory, {
      target_kind: "group_email",
      target_value: `Verkauf@${D}`,
      target_group_id: null,
    });
    expect(upnsOf(byAlias)).toEqual([`ann@${D}`, `cat@${D}`, `dan@${D}`, `eve@${D}`]);
    const m365 = await resolveTargetUsers(h.engine.directory, {
      target_kind: "group_email",
      target_value: `team@${D}`,
      target_group_id: null,
    });
    expect(upnsOf(m365)).toEqual([`ben@${D}`]);
    const user = await resolveTargetUsers(h.engine.directory, {
      target_kind: "group_email",
      target_value: `fay@${D}`,
      target_group_id: null,
    });
    expect(upnsOf(user)).toEqual([`fay@${D}`]);
    expect(user.summary).toBe(`mailbox fay@${D}`);
  });

  it("one mailbox, and a ;-separated list that reports unknown addresses", async () => {
    expect(
      upnsOf(
        await resolveTargetUsers(h.engine.directory, {
          target_kind: "mailbox",
          target_value: `ben@${D}`,
          target_group_id: null,
        }),
      ),
    ).toEqual([`ben@${D}`]);
    const list = await resolveTargetUsers(h.engine.directory, {
      target_kind: "mailbox_list",
      target_value: `ann@${D};ghost@${D};fay@${D}`,
      target_group_id: null,
    });
    expect(upnsOf(list)).toEqual([`ann@${D}`, `fay@${D}`]);
    expect(list.unresolved).toEqual([
      { name: `ghost@${D}`, reason: "no mailbox with this address in the directory" },
    ]);
  });

  it("all licensed mailboxes: enabled and licensed users only", async () => {
    const r = await resolveTargetUsers(h.engine.directory, {
      target_kind: "all_licensed",
      target_value: "",
      target_group_id: null,
    });
    expect(upnsOf(r)).toEqual([`ann@${D}`, `ben@${D}`, `cat@${D}`, `fay@${D}`]);
    expect(r.isWholeTenant).toBe(true);
  });

  it("the console's group lookup finds groups by the start of their name", async () => {
    const found = await lookupGroups(h.ctx, "sal");
    expect(found.map((g) => [g.displayName, g.kind, g.mail])).toEqual([
      ["Sales Distribution", "distribution", `sales@${D}`],
    ]);
    expect((await lookupGroups(h.ctx, "Inner")).map((g) => g.kind)).toEqual(["security"]);
  });
});

describe("group membership is cached for one hour", () => {
  it("serves the cached members until the hour has passed, then reads the directory again", async () => {
    const { id } = await h.ctl.createGroup({
      displayName: "Cache Test",
      kind: "security",
      memberUpns: [`ben@${D}`],
    });
    const target = { target_kind: "group_lookup" as const, target_value: "Cache Test", target_group_id: id };
    h.clock.now = Date.now();
    const first = await resolveTargetUsers(h.engine.directory, target);
    expect(upnsOf(first)).toEqual([`ben@${D}`]);
    expect(first.summary).toMatch(/membership read now/);

    await h.ctl.addGroupMember(id, { upn: `fay@${D}` });
    h.clock.now += MEMBERSHIP_TTL_MS - 60_000; // 59 minutes later
    const cached = await resolveTargetUsers(h.engine.directory, target);
    expect(upnsOf(cached)).toEqual([`ben@${D}`]);
    expect(cached.summary).toMatch(/membership cached at/);

    h.clock.now += 2 * 60_000; // 61 minutes after the first read
    const fresh = await resolveTargetUsers(h.engine.directory, target);
    expect(upnsOf(fresh)).toEqual([`ben@${D}`, `fay@${D}`]);
    expect(fresh.summary).toMatch(/membership read now/);
  });
});

describe("bad input gets a clear message and saves nothing", () => {
  const counts = async () => ({
    tasks: (await dbListTasks(h.db)).length,
    schedules: (await dbListSchedules(h.db)).length,
    definitions: (await dbListDefinitions(h.db)).length,
  });
  const refusal = async (p: Promise<unknown>): Promise<string[]> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TaskInputError);
    return (e as TaskInputError).issues.map((i) => `${i.field}: ${i.message}`);
  };
  const task = (target: TTaskInput["target"]): TTaskInput => ({ name: "Bad", ...ids, target });

  it("schedule form: invalid cron, interval, time zone", async () => {
    const before = await counts();
    expect(
      await refusal(createSchedule(h.ctx, { name: "Bad", kind: "cron", cron: "every day" }, "a")),
    ).toEqual([
      expect.stringMatching(/^cron: "every day" is not a valid cron expression: it needs five fields/),
    ]);
    expect(
      await refusal(createSchedule(h.ctx, { name: "Bad", kind: "cron", cron: "0 25 * * *" }, "a")),
    ).toEqual([expect.stringMatching(/^cron: "0 25 \* \* \*" is not a valid cron expression/)]);
    expect(
      await refusal(
        createSchedule(
          h.ctx,
          { name: "Bad", kind: "interval", intervalMinutes: -5, timeZone: "Nowhere/City" },
          "a",
        ),
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^timeZone: "Nowhere\/City" is not a known time zone/),
        expect.stringMatching(/^intervalMinutes: The interval must be a whole number of minutes/),
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it("definition form: settings checked per type", async () => {
    const before = await counts();
    expect(
      await refusal(
        createDefinition(
          h.ctx,
          { type: "folder_replication", name: "Bad", settings: { dataTypes: [] } },
          "a",
        ),
      ),
    ).toEqual(["settings.dataTypes: Choose at least one data type to replicate."]);
    expect(
      await refusal(
        createDefinition(
          h.ctx,
          {
            type: "permissions_sync",
            name: "Bad",
            settings: { fullAccess: false, sendAs: false, calendar: false },
          },
          "a",
        ),
      ),
    ).toEqual([expect.stringMatching(/^settings: Choose at least one permission/)]);
    expect(await counts()).toEqual(before);
  });

  it("task form: unknown group (by id, DN, address), empty list, malformed and unknown addresses", async () => {
    const before = await counts();
    expect(
      await refusal(
        createTask(
          h.ctx,
          task({ kind: "group_lookup", groupId: "9f1c0c1e-0000-4000-8000-000000000000" }),
          "a",
        ),
      ),
    ).toEqual([
      "target.groupId: There is no group with the id 9f1c0c1e-0000-4000-8000-000000000000 in the directory.",
    ]);
    expect(
      await refusal(
        createTask(h.ctx, task({ kind: "group_dn", dn: "CN=Nobody,OU=Groups,DC=targets,DC=example" }), "a"),
      ),
    ).toEqual([
      expect.stringMatching(/^target.dn: No group in the directory has the distinguished name CN=Nobody/),
    ]);
    expect(
      await refusal(createTask(h.ctx, task({ kind: "group_dn", dn: "Sales Distribution" }), "a")),
    ).toEqual([
      expect.stringMatching(/^target.dn: "Sales Distribution" is not a group's distinguished name/),
    ]);
    expect(
      await refusal(createTask(h.ctx, task({ kind: "group_email", address: `nobody@${D}` }), "a")),
    ).toEqual([`target.address: No group or mailbox has the address nobody@${D}.`]);
    expect(await refusal(createTask(h.ctx, task({ kind: "mailbox_list", addresses: " ; " }), "a"))).toEqual([
      "target.addresses: The list of mailboxes is empty: enter at least one address.",
    ]);
    expect(
      await refusal(
        createTask(h.ctx, task({ kind: "mailbox_list", addresses: `ann@${D}; bob@; carl.example` }), "a"),
      ),
    ).toEqual([
      'target.addresses: "bob@", "carl.example" are not valid e-mail addresses (expected name@domain, separated by ;).',
    ]);
    expect(
      await refusal(
        createTask(h.ctx, task({ kind: "mailbox_list", addresses: `ann@${D}; ghost@${D}` }), "a"),
      ),
    ).toEqual([`target.addresses: No mailbox has the address ghost@${D}.`]);
    expect(
      await refusal(createTask(h.ctx, { ...task({ kind: "all_licensed" }), name: "", siteId: "nope" }, "a")),
    ).toEqual(["name: Give the task a name."]);
    expect(
      await refusal(
        createTask(
          h.ctx,
          { ...task({ kind: "all_licensed" }), siteId: "nope", type: "permissions_sync" },
          "a",
        ),
      ),
    ).toEqual([
      "siteId: There is no Synchronization Engine Site nope.",
      expect.stringMatching(
        /^definitionId: The definition ".*" is a Mailbox Folder Replication definition, not Mailbox Permissions Sync\./,
      ),
    ]);
    expect(await counts()).toEqual(before);
  });

  it("saves a valid task as Unknown, with the resolved group id", async () => {
    const created = await createTask(
      h.ctx,
      { ...task({ kind: "group_email", address: `SALES@${D}` }), name: "Sales archive" },
      "admin@test",
    );
    expect(created).toMatchObject({
      status: "unknown",
      type: "folder_replication",
      target: {
        kind: "group_email",
        value: `sales@${D}`,
        groupId: group.sales,
        description: `Address sales@${D}`,
      },
      createdBy: "admin@test",
      lastResult: null,
      sequence: 0,
    });
  });
});
