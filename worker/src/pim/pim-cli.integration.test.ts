import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isolatedEnv } from "@coffer/test/setup/processes";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type THarness } from "../sync/testing/harness";

/** The real `coffer` binary: sync-pim, ls-pim (compared with the simulator's state) and cat-pim. */

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(HERE, "../../bin/coffer.js");
const REPO = path.resolve(HERE, "../../..");
const UPN = "pim.cli@contoso.example";
let h: THarness;

function coffer(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...isolatedEnv(h.childEnv()), COFFER_HOME: mkdtempSync(path.join(tmpdir(), "coffer-home-")) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let err = "";
  child.stdout.on("data", (c: Buffer) => out.push(c));
  child.stderr.on("data", (c: Buffer) => {
    err += c.toString("utf8");
  });
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err })),
  );
}

beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "Pim Cli" });
  await h.ctl.createEvent(UPN, {
    subject: "Monthly review",
    start: { dateTime: "2026-01-15T14:00:00", timeZone: "Pacific Standard Time" },
    end: { dateTime: "2026-01-15T15:00:00", timeZone: "Pacific Standard Time" },
    recurrence: {
      pattern: { type: "absoluteMonthly", interval: 1, dayOfMonth: 15 },
      range: { type: "noEnd", startDate: "2026-01-15", recurrenceTimeZone: "Pacific Standard Time" },
    },
  });
  await h.ctl.createContact(UPN, {
    displayName: "Grace Hopper",
    phones: [{ type: "assistant", number: "+1 555 0100" }],
  });
  await h.ctl.createTask(UPN, { title: "Renew passport", checklistItems: [{ displayName: "Photo" }] });
});
afterAll(async () => {
  await h?.close();
});

describe("coffer sync-pim / ls-pim / cat-pim", () => {
  it("syncs, lists what the simulator holds, and prints originals and renderings", async () => {
    const sync = await coffer(["sync-pim", UPN, "--json"]);
    expect(sync.code, sync.stderr).toBe(0);
    const result = JSON.parse(sync.stdout.toString("utf8")) as {
      types: Array<{ type: string; status: string }>;
    };
    expect(result.types.map((t) => `${t.type}:${t.status}`)).toEqual([
      "calendar:synced",
      "contacts:synced",
      "tasks:synced",
      "notes:synced",
    ]);

    const state = await h.ctl.pimState(UPN);
    const ls = await coffer(["ls-pim", UPN, "--type", "calendar", "--json"]);
    expect(ls.code, ls.stderr).toBe(0);
    const listing = JSON.parse(ls.stdout.toString("utf8")) as {
      items: Array<{ id: string; sha256: string }>;
      containers: Array<{ id: string }>;
    };
    expect(listing.items.map((i) => `${i.id}:${i.sha256}`)).toEqual(
      state.events.map((e) => `${e.id}:${e.sha256}`),
    );
    expect(listing.containers.map((c) => c.id)).toEqual(state.calendars.map((c) => c.id));

    const range = await coffer([
      "ls-pim",
      UPN,
      "--type",
      "calendar",
      "--from",
      "2026-03-01T00:00:00Z",
      "--to",
      "2026-06-01T00:00:00Z",
    ]);
    // the 15th at 14:00 Pacific: 15 March is already PDT (UTC-7; DST began 8 March), April and May too
    expect(range.stdout.toString("utf8")).toContain("2026-03-15T21:00:00.000Z");
    expect(range.stdout.toString("utf8").trim().split("\n").length).toBe(3);

    // each spawn costs seconds (tsx start-up): the byte-exact JSON and the vCard are covered in-process
    const id = state.events[0]?.id ?? "";
    const ics = await coffer(["cat-pim", UPN, id, "--type", "calendar", "--format", "ics"]);
    const vevent = new ICAL.Component(ICAL.parse(ics.stdout.toString("utf8"))).getFirstSubcomponent("vevent");
    expect(vevent?.getFirstProperty("dtstart")?.getParameter("tzid")).toBe("America/Los_Angeles");
    expect(String(vevent?.getFirstPropertyValue("rrule"))).toContain("FREQ=MONTHLY");
  });
});
