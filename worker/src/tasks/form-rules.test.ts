import type { TFolderState } from "@coffer/db/archive/index";
import { describe, expect, it } from "vitest";
import { selectFolders } from "./features/folder-replication";
import { describeSchedule, isInsideWindow, nextRunAfter, ZScheduleInput } from "./schedule-rules";
import { dnProblem, splitAddressList, ZTaskTarget } from "./target-rules";
import { parseSettings } from "./task-types";

const messages = (r: { success: boolean; error?: { issues: Array<{ message: string }> } }) =>
  r.success ? [] : (r.error?.issues.map((i) => i.message) ?? []);

describe("schedule form", () => {
  it("accepts a five-field cron in a time zone and an interval with a window", () => {
    expect(
      ZScheduleInput.safeParse({
        name: "Nightly",
        kind: "cron",
        cron: "0 2 * * 1-5",
        timeZone: "Europe/London",
      }).success,
    ).toBe(true);
    const r = ZScheduleInput.parse({
      name: "Night",
      kind: "interval",
      intervalMinutes: 60,
      window: { start: "22:00", end: "06:00" },
    });
    expect(r).toMatchObject({ timeZone: "UTC", window: { start: "22:00", end: "06:00" } });
  });

  it("explains an invalid cron expression", () => {
    expect(messages(ZScheduleInput.safeParse({ name: "x", kind: "cron", cron: "* * *" }))).toEqual([
      expect.stringMatching(/"\* \* \*" is not a valid cron expression: it needs five fields/),
    ]);
    expect(messages(ZScheduleInput.safeParse({ name: "x", kind: "cron", cron: "61 * * * *" }))).toEqual([
      expect.stringMatching(/"61 \* \* \* \*" is not a valid cron expression \(.*59/),
    ]);
    expect(messages(ZScheduleInput.safeParse({ name: "x", kind: "cron" }))).toEqual([
      expect.stringMatching(/Enter a cron expression/),
    ]);
  });

  it("explains a bad interval, time zone, window and missing name", () => {
    expect(
      messages(
        ZScheduleInput.safeParse({
          name: " ",
          kind: "interval",
          intervalMinutes: 0,
          timeZone: "Mars/Olympus",
          window: { start: "25:00", end: "06:00" },
        }),
      ),
    ).toEqual(
      expect.arrayContaining([
        "Give the schedule a name.",
        expect.stringMatching(/"Mars\/Olympus" is not a known time zone/),
        expect.stringMatching(/"25:00" is not a time/),
      ]),
    );
    expect(messages(ZScheduleInput.safeParse({ name: "x", kind: "interval", intervalMinutes: 1.5 }))).toEqual(
      [expect.stringMatching(/whole number of minutes from 1 to 10080/)],
    );
  });

  it("runs only inside the window, across midnight, in the schedule's zone", () => {
    const s = {
      kind: "interval" as const,
      cron: null,
      interval_minutes: 60,
      time_zone: "Europe/Berlin",
      window_start: "22:00:00",
      window_end: "06:00:00",
    };
    // 21:30 UTC in November = 22:30 in Berlin (inside); 12:00 UTC = 13:00 (outside).
    expect(isInsideWindow(s, new Date("2026-11-21T21:30:00Z"))).toBe(true);
    expect(isInsideWindow(s, new Date("2026-11-21T12:00:00Z"))).toBe(false);
    // The next run from noon is the first hourly tick at or after 22:00 Berlin = 21:00 UTC.
    expect(nextRunAfter(s, new Date("2026-11-21T12:00:00Z"), 0)?.toISOString()).toBe(
      "2026-11-21T21:00:00.000Z",
    );
    expect(describeSchedule({ ...s, interval_minutes: 240 })).toBe(
      "Every 4 hours, between 22:00 and 06:00 (Europe/Berlin)",
    );
  });

  it("anchors interval ticks at the scheduler's tick", () => {
    const s = {
      kind: "interval" as const,
      cron: null,
      interval_minutes: 240,
      time_zone: "UTC",
      window_start: null,
      window_end: null,
    };
    const anchor = Date.parse("2026-11-21T10:17:00Z");
    expect(nextRunAfter(s, new Date("2026-11-21T12:00:00Z"), anchor)?.toISOString()).toBe(
      "2026-11-21T14:17:00.000Z",
    );
  });
});

describe("task target form", () => {
  it("splits a ;-separated list, trims and removes repeats", () => {
    expect(splitAddressList(" a@contoso.com; b@contoso.com;;A@contoso.com ")).toEqual([
      "a@contoso.com",
      "b@contoso.com",
    ]);
    expect(ZTaskTarget.parse({ kind: "mailbox_list", addresses: "A@Contoso.com;b@contoso.com" })).toEqual({
      kind: "mailbox_list",
      addresses: ["a@contoso.com", "b@contoso.com"],
    });
  });

  it("refuses an empty list", () => {
    expect(messages(ZTaskTarget.safeParse({ kind: "mailbox_list", addresses: " ; ;" }))).toEqual([
      "The list of mailboxes is empty: enter at least one address.",
    ]);
  });

  it("names the malformed addresses", () => {
    expect(
      messages(ZTaskTarget.safeParse({ kind: "mailbox_list", addresses: "ok@contoso.com; alice@; bob" })),
    ).toEqual(['"alice@", "bob" are not valid e-mail addresses (expected name@domain, separated by ;).']);
    expect(messages(ZTaskTarget.safeParse({ kind: "group_email", address: "sales at contoso" }))).toEqual([
      '"sales at contoso" is not a valid e-mail address (expected name@domain).',
    ]);
  });

  it("checks the shape of a typed DN", () => {
    expect(dnProblem("CN=dlmmsgroup,CN=Users,DC=mcdev,DC=internal")).toBeUndefined();
    expect(dnProblem("CN=Smith\\, John,OU=Users,DC=contoso,DC=com")).toBeUndefined();
    expect(dnProblem("sales@contoso.com")).toMatch(/is not a group's distinguished name: use the full DN/);
    expect(dnProblem("OU=Groups,DC=contoso,DC=com")).toMatch(/not a group's distinguished name/);
    expect(messages(ZTaskTarget.safeParse({ kind: "teams" }))).toEqual([
      expect.stringMatching(/Choose the target/),
    ]);
  });
});

describe("definition settings per type", () => {
  it("fills defaults (all five data types) and refuses unknown ones", () => {
    const ok = parseSettings("folder_replication", {});
    expect(ok.success && ok.data).toEqual({
      dataTypes: ["mail", "calendar", "contacts", "tasks", "notes"],
      folders: { mode: "all" },
      includeHidden: false,
    });
    expect(messages(parseSettings("folder_replication", { dataTypes: ["mail", "journal"] }))).toEqual([
      '"journal" is not a data type (mail, calendar, contacts, tasks, notes).',
    ]);
    expect(
      messages(parseSettings("folder_replication", { folders: { mode: "include", paths: [] } })),
    ).toEqual(["List at least one folder."]);
    expect(
      messages(parseSettings("permissions_sync", { fullAccess: false, sendAs: false, calendar: false })),
    ).toEqual([expect.stringMatching(/Choose at least one permission/)]);
    // Types not built yet still validate their settings.
    expect(messages(parseSettings("managed_folders", { folders: [] }))).toEqual([
      "Define at least one managed folder.",
    ]);
  });

  it("selects folders by path, with subfolders, and leaves hidden ones out", () => {
    const f = (
      graphId: string,
      displayName: string,
      parentGraphId: string | null,
      isHidden = false,
    ): [string, TFolderState] => [
      graphId,
      { versionId: 0, graphId, parentGraphId, displayName, isHidden, validFrom: new Date() },
    ];
    const states = new Map([
      f("root", "Top of Information Store", "msgroot", true),
      f("in", "Inbox", null),
      f("proj", "Projects", "in"),
      f("sent", "Sent Items", null),
      f("hid", "Sync Issues", null, true),
      f("hidchild", "Conflicts", "hid"),
    ]);
    expect(selectFolders(states, { mode: "all" }, false).sort()).toEqual(["in", "proj", "sent"]);
    expect(selectFolders(states, { mode: "all" }, true)).toHaveLength(6);
    expect(selectFolders(states, { mode: "include", paths: ["inbox"] }, false).sort()).toEqual([
      "in",
      "proj",
    ]);
    expect(selectFolders(states, { mode: "exclude", paths: ["Inbox/Projects"] }, false).sort()).toEqual([
      "in",
      "sent",
    ]);
  });
});
