import { createHash } from "node:crypto";
import {
  getCalendarView,
  getContactCards,
  getNotes,
  getPimItem,
  getTaskLists,
  listPimContainers,
  listPimItems,
  readPimOriginal,
  readPimPart,
  type TPimDataType,
} from "@coffer/db/archive-pim/index";
import { getDefaultPolicy, updatePolicyRules } from "@coffer/db/retention/retention-policies";
import type { PimState } from "@coffer/test/m365-sim/src/client";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveMailbox } from "../sync/sync-mailbox";
import { startHarness, type THarness } from "../sync/testing/harness";
import { syncCalendar, syncPim } from "./sync-pim";
import { syncPimTenant } from "./sync-pim-tenant";

/**
 * Round trips of calendars, contacts, To Do and notes through the real simulator, PostgreSQL, Redis and
 * blob store: changes over time in the simulator, a sync after each step, and the archive at each step's
 * time equal to the simulator's truth at that time (ids and sha256 of the exact Graph bytes).
 */

const UPN = "pim.roundtrip@contoso.example";
const BERLIN = "W. Europe Standard Time";
let h: THarness;
/** The time after step 2's sync (the second test reads the archive as it was then). */
let step2At = new Date(0);

beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "Pim Roundtrip" });
});
afterAll(async () => {
  await h?.close();
});

type TTruth = Record<TPimDataType, Array<{ id: string; container: string; sha256: string }>> & {
  containers: Record<TPimDataType, string[]>;
  parts: Map<string, string[]>;
};

function truthOf(s: PimState): TTruth {
  const sort = <T extends { id: string }>(l: T[]) => [...l].sort((a, b) => a.id.localeCompare(b.id));
  return {
    calendar: sort(s.events.map((e) => ({ id: e.id, container: e.calendarId, sha256: e.sha256 }))),
    contacts: sort(s.contacts.map((c) => ({ id: c.id, container: c.folderId, sha256: c.sha256 }))),
    tasks: sort(s.tasks.map((t) => ({ id: t.id, container: t.listId, sha256: t.sha256 }))),
    notes: sort(s.notes.map((n) => ({ id: n.id, container: "notes", sha256: n.sha256 }))),
    containers: {
      calendar: s.calendars.map((c) => c.id).sort(),
      contacts: s.contactFolders.map((c) => c.id).sort(),
      tasks: s.todoLists.map((l) => l.id).sort(),
      notes: ["notes"],
    },
    parts: new Map([
      ...s.tasks.map((t) => [t.id, t.attachments.map((a) => a.sha256).sort()] as const),
      ...s.events
        .filter((e) => e.attachments.length)
        .map((e) => [e.id, e.attachments.map((a) => a.sha256).sort()] as const),
    ]),
  };
}

async function archiveAt(mailboxId: string, at: Date): Promise<TTruth> {
  const out = { containers: {}, parts: new Map() } as TTruth;
  for (const type of ["calendar", "contacts", "tasks", "notes"] as const) {
    const items = await listPimItems(h.db, mailboxId, type, { at });
    out[type] = items
      .map((i) => ({ id: i.graphId, container: i.containerGraphId, sha256: i.sha256 }))
      .sort((a, b) => a.id.localeCompare(b.id));
    out.containers[type] = (await listPimContainers(h.db, mailboxId, type, { at }))
      .map((c) => c.graphId)
      .sort();
  }
  for (const e of out.calendar) {
    const parts = (await getPimItem(h.db, mailboxId, "calendar", e.id, { at }))?.parts ?? [];
    if (parts.length) out.parts.set(e.id, parts.map((p) => p.sha256).sort());
  }
  for (const l of await getTaskLists(h.db, mailboxId, { at }))
    for (const t of l.tasks) out.parts.set(t.graphId, t.attachments.map((a) => a.sha256).sort());
  return out;
}

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
const pngBytes = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex");

describe("calendar, contacts, tasks and notes round trip", () => {
  it("the archive at each point in time equals the simulator's state then, byte for byte", async () => {
    const mailbox = await resolveMailbox(h.deps, UPN);
    // ---- step 1: a series with an exception and a cancelled day, single events, contacts, tasks, notes
    const team = await h.ctl.createCalendar(UPN, { name: "Team" });
    const weekly = await h.ctl.createEvent(UPN, {
      subject: "Weekly sync",
      start: { dateTime: "2026-03-02T09:30:00", timeZone: BERLIN },
      end: { dateTime: "2026-03-02T10:00:00", timeZone: BERLIN },
      location: "Fjord Room",
      attachments: [
        {
          name: "agenda.txt",
          contentType: "text/plain",
          contentBytes: Buffer.from("1. Numbers\n2. Plans\n").toString("base64"),
        },
      ],
      attendees: [
        {
          type: "required",
          status: { response: "accepted" },
          emailAddress: { name: "Zoë Müller", address: "zoe@contoso.example" },
        },
      ],
      organizer: { emailAddress: { name: "Pim Roundtrip", address: UPN } },
      recurrence: {
        pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "monday" },
        range: {
          type: "endDate",
          startDate: "2026-03-02",
          endDate: "2026-06-29",
          recurrenceTimeZone: BERLIN,
        },
      },
    });
    await h.ctl.cancelOccurrence(UPN, weekly.id, "2026-03-09");
    await h.ctl.addEventException(UPN, weekly.id, {
      originalStartDate: "2026-03-16",
      subject: "Weekly sync (moved)",
      start: { dateTime: "2026-03-16T14:00:00", timeZone: BERLIN },
      end: { dateTime: "2026-03-16T14:30:00", timeZone: BERLIN },
    });
    const dentist = await h.ctl.createEvent(UPN, {
      subject: "Dentist",
      start: { dateTime: "2026-03-04T15:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-03-04T16:00:00", timeZone: "UTC" },
    });
    await h.ctl.createEvent(UPN, {
      calendar: team.id,
      subject: "Offsite",
      isAllDay: true,
      start: { dateTime: "2026-03-18T00:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-03-20T00:00:00", timeZone: "UTC" },
    });
    const ada = await h.ctl.createContact(UPN, {
      givenName: "Ada",
      surname: "Lovelace",
      displayName: "Ada Lovelace",
      companyName: "Analytical Engines",
      emailAddresses: [{ name: "Ada", address: "ada@example.com" }],
      phones: [
        { type: "mobile", number: "+44 7700 900001" },
        { type: "mobile", number: "+44 7700 900002" },
        { type: "assistant", number: "+44 20 7946 0001" },
      ],
    });
    const suppliers = await h.ctl.createContactFolder(UPN, { displayName: "Suppliers" });
    await h.ctl.createContact(UPN, {
      folder: suppliers.id,
      displayName: "Łódź Supplies",
      companyName: "Łódź Supplies sp. z o.o.",
    });
    const list = await h.ctl.createTodoList(UPN, { displayName: "Projekt 🚀" });
    const ship = await h.ctl.createTask(UPN, {
      list: list.id,
      title: "Ship it",
      checklistItems: [{ displayName: "Write notes" }, { displayName: "Tag", isChecked: true }],
      attachments: [
        { name: "shot.png", contentType: "image/png", contentBytes: pngBytes.toString("base64") },
      ],
    });
    const milk = await h.ctl.createTask(UPN, { title: "Milk" });
    const note = await h.ctl.createNote(UPN, { subject: "Wi-Fi", body: "<p>Guest: <b>Contoso</b></p>" });
    const gone = await h.ctl.createNote(UPN, { subject: "Parking" });

    const r1 = await syncPim(h.deps, mailbox);
    expect(r1.map((r) => [r.type, r.status])).toEqual([
      ["calendar", "synced"],
      ["contacts", "synced"],
      ["tasks", "synced"],
      ["notes", "synced"],
    ]);
    const t1 = new Date();
    const s1 = truthOf(await h.ctl.pimState(UPN));
    expect(await archiveAt(mailbox.id, t1)).toEqual(s1);

    // ---- step 2: changes over time
    await h.ctl.updateEvent(UPN, weekly.id, { subject: "Weekly team sync" });
    await h.ctl.addEventException(UPN, weekly.id, {
      originalStartDate: "2026-03-23",
      location: "Harbour Room",
    });
    await h.ctl.deleteEvent(UPN, dentist.id);
    await h.ctl.updateContact(UPN, ada.id, { jobTitle: "Mathematician", folder: suppliers.id });
    await h.ctl.updateTask(UPN, ship.id, {
      checklistItems: [{ id: ship.checklistItemIds[0], isChecked: true }, { id: ship.checklistItemIds[1] }],
      addAttachments: [
        {
          name: "notes.txt",
          contentType: "text/plain",
          contentBytes: Buffer.from("Release 1.0\n").toString("base64"),
        },
      ],
    });
    await h.ctl.deleteTask(UPN, milk.id);
    await h.ctl.updateNote(UPN, note.id, { subject: "Wi-Fi (guest)" });
    await h.ctl.deleteNote(UPN, gone.id);
    const r2 = await syncPim(h.deps, mailbox);
    expect(r2.every((r) => r.status === "synced")).toBe(true);
    const t2 = new Date();
    step2At = t2;
    const s2 = truthOf(await h.ctl.pimState(UPN));
    expect(await archiveAt(mailbox.id, t2)).toEqual(s2);

    // ---- step 3: containers go (their items with them), and a sync with nothing new changes nothing
    await h.ctl.deleteCalendar(UPN, team.id);
    await h.ctl.deleteContactFolder(UPN, suppliers.id);
    await h.ctl.deleteTodoList(UPN, list.id);
    const r3 = await syncPim(h.deps, mailbox);
    expect(r3.every((r) => r.status === "synced")).toBe(true);
    const t3 = new Date();
    const s3 = truthOf(await h.ctl.pimState(UPN));
    expect(await archiveAt(mailbox.id, t3)).toEqual(s3);
    const r4 = await syncPim(h.deps, mailbox);
    expect(r4.map((r) => r.stats.added + r.stats.changed + r.stats.removed)).toEqual([0, 0, 0, 0]);

    // the past stays readable as it was
    expect(await archiveAt(mailbox.id, t1)).toEqual(s1);
    expect(await archiveAt(mailbox.id, t2)).toEqual(s2);

    // byte-identical originals: the archived JSON is exactly what Graph returned (sha256 of the GET bytes)
    for (const e of s1.calendar) {
      const o = await readPimOriginal(h.db, h.blobs, mailbox.id, "calendar", e.id, { at: t1 });
      expect(sha(o?.json ?? Buffer.alloc(0))).toBe(e.sha256);
    }
    const shipAt2 = (await getTaskLists(h.db, mailbox.id, { at: t2 }))
      .flatMap((l) => l.tasks)
      .find((t) => t.graphId === ship.id);
    expect(shipAt2?.steps).toEqual([
      { displayName: "Write notes", isChecked: true },
      { displayName: "Tag", isChecked: true },
    ]);
    const att = shipAt2?.attachments.find((a) => a.name === "shot.png");
    const bytes = await readPimPart(h.db, h.blobs, shipAt2?.versionId ?? 0, att?.partId ?? "");
    expect(bytes?.bytes.equals(pngBytes)).toBe(true);
    const shipAt1 = (await getTaskLists(h.db, mailbox.id, { at: t1 }))
      .flatMap((l) => l.tasks)
      .find((t) => t.graphId === ship.id);
    expect(shipAt1?.attachments.map((a) => a.name)).toEqual(["shot.png"]);
  });

  it("renders ICS that parses back with RRULE, EXDATE and RECURRENCE-ID, and vCards with every phone", async () => {
    const mailbox = await resolveMailbox(h.deps, UPN);
    const view = await getCalendarView(h.db, mailbox.id, {
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-04-01T00:00:00Z"),
    });
    // Mondays 2 (occurrence), 9 (cancelled), 16 and 23 (exceptions), 30 (after DST: 07:30 UTC)
    expect(view.map((v) => [v.kind, v.subject, v.start.toISOString()])).toEqual([
      ["occurrence", "Weekly team sync", "2026-03-02T08:30:00.000Z"],
      ["exception", "Weekly sync (moved)", "2026-03-16T13:00:00.000Z"],
      ["exception", "Weekly team sync", "2026-03-23T08:30:00.000Z"],
      ["occurrence", "Weekly team sync", "2026-03-30T07:30:00.000Z"],
    ]);
    const master = (await listPimItems(h.db, mailbox.id, "calendar"))[0];
    const o = await readPimOriginal(h.db, h.blobs, mailbox.id, "calendar", master?.graphId ?? "");
    const cal = new ICAL.Component(ICAL.parse(o?.rendering?.text ?? ""));
    const vevents = cal.getAllSubcomponents("vevent");
    expect(vevents.length).toBe(3);
    const m = vevents.find((v) => !v.hasProperty("recurrence-id")) as ICAL.Component;
    // UNTIL: the end of 29 June in Berlin (CEST), in UTC
    expect(o?.rendering?.text).toContain("RRULE:FREQ=WEEKLY;BYDAY=MO;WKST=MO;UNTIL=20260629T215959Z\r\n");
    const rule = m.getFirstPropertyValue("rrule") as ICAL.Recur;
    expect([rule.freq, rule.until?.toString(), rule.parts.BYDAY]).toEqual([
      "WEEKLY",
      "2026-06-29T21:59:59Z",
      ["MO"],
    ]);
    const dtstart = m.getFirstProperty("dtstart");
    expect(dtstart?.getParameter("tzid")).toBe("Europe/Berlin");
    expect(String(dtstart?.getFirstValue())).toBe("2026-03-02T09:30:00");
    // the event's file attachment travels inside the ICS (Outlook's own export leaves it out)
    const attach = m.getFirstProperty("attach");
    expect(attach?.getParameter("x-filename")).toBe("agenda.txt");
    expect(Buffer.from(String(attach?.getFirstValue()), "base64").toString("utf8")).toBe(
      "1. Numbers\n2. Plans\n",
    );
    expect(m.getAllProperties("exdate").map((p) => String(p.getFirstValue()))).toEqual([
      "2026-03-09T09:30:00",
    ]);
    const ex = vevents
      .filter((v) => v.hasProperty("recurrence-id"))
      .map((v) => String(v.getFirstPropertyValue("recurrence-id")));
    expect(ex.sort()).toEqual(["2026-03-16T09:30:00", "2026-03-23T09:30:00"]);
    // expanding the ICS with ical.js gives the same instances as the archive's calendar view
    const event = new ICAL.Event(m, { exceptions: vevents.filter((v) => v !== m) });
    const tz = new ICAL.Timezone(cal.getFirstSubcomponent("vtimezone") as ICAL.Component);
    void tz;
    const it = event.iterator();
    const starts: string[] = [];
    for (let next = it.next(); next && starts.length < 5; next = it.next()) starts.push(next.toString());
    expect(starts.slice(0, 3)).toEqual(["2026-03-02T09:30:00", "2026-03-16T09:30:00", "2026-03-23T09:30:00"]);

    // Ada (moved to Suppliers, deleted with that folder in step 3) is still a card in the past
    const cards = await getContactCards(h.db, h.blobs, mailbox.id, { at: step2At });
    const adaCard = cards.find((c) => c.displayName === "Ada Lovelace");
    expect(adaCard?.phones).toEqual([
      { type: "mobile", number: "+44 7700 900001" },
      { type: "mobile", number: "+44 7700 900002" },
      { type: "assistant", number: "+44 20 7946 0001" },
    ]);
    const vcf = await readPimOriginal(h.db, h.blobs, mailbox.id, "contacts", adaCard?.graphId ?? "", {
      at: step2At,
    });
    const vcard = new ICAL.Component(ICAL.parse(vcf?.rendering?.text ?? ""));
    expect(vcard.getFirstPropertyValue("version")).toBe("4.0");
    expect(vcard.getFirstPropertyValue("fn")).toBe("Ada Lovelace");
    expect(
      vcard.getAllProperties("tel").map((p) => [p.getParameter("type"), String(p.getFirstValue())]),
    ).toEqual([
      [["cell", "voice"], "+44 7700 900001"],
      [["cell", "voice"], "+44 7700 900002"],
      [["x-assistant", "voice"], "+44 20 7946 0001"],
    ]);
    expect(vcard.getFirstPropertyValue("title")).toBe("Mathematician");
  });

  it("does not sync a data type whose sync the retention policy turns off", async () => {
    const upn = "pim.off@contoso.example";
    await h.ctl.createUser({ userPrincipalName: upn, displayName: "Pim Off" });
    await h.ctl.createEvent(upn, {
      subject: "Secret",
      start: { dateTime: "2026-05-01T10:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-05-01T11:00:00", timeZone: "UTC" },
    });
    await h.ctl.createNote(upn, { subject: "Kept" });
    const mailbox = await resolveMailbox(h.deps, upn);
    const { policy } = await getDefaultPolicy(h.db);
    await updatePolicyRules(
      h.db,
      policy.id,
      [{ dataType: "calendar", syncEnabled: false, retentionDays: 2555 }],
      "test",
    );
    try {
      const r = await syncPim(h.deps, mailbox);
      expect(r.find((x) => x.type === "calendar")?.status).toBe("skipped");
      expect(r.find((x) => x.type === "notes")?.status).toBe("synced");
      const cal = await syncCalendar(h.deps, mailbox);
      expect(cal.skippedReason).toMatch(/turned off/);
      expect(await listPimItems(h.db, mailbox.id, "calendar")).toEqual([]);
      expect(await listPimContainers(h.db, mailbox.id, "calendar")).toEqual([]);
      expect((await getNotes(h.db, h.blobs, mailbox.id)).map((n) => n.subject)).toEqual(["Kept"]);
    } finally {
      await updatePolicyRules(
        h.db,
        policy.id,
        [{ dataType: "calendar", syncEnabled: true, retentionDays: 2555 }],
        "test",
      );
    }
    const cal = await syncCalendar(h.deps, mailbox);
    expect(cal.added).toBe(1);
  });

  it("recovers from lost delta state by re-enumerating and reconciling (410 SyncStateNotFound)", async () => {
    const mailbox = await resolveMailbox(h.deps, UPN);
    const added = await h.ctl.createNote(UPN, { subject: "After the reset" });
    const before = await h.ctl.pimState(UPN);
    const doomed = before.notes.find((n) => n.id !== added.id) as { id: string };
    await h.ctl.deleteNote(UPN, doomed.id);
    await h.ctl.setFaults({ expireDeltaTokens: true });
    try {
      // Every stored deltaLink now answers 410: each container restarts from nothing, once.
      const r = await syncPim(h.deps, mailbox, { types: ["notes", "contacts"] });
      expect(r.map((x) => x.status)).toEqual(["synced", "synced"]);
    } finally {
      await h.ctl.setFaults({});
    }
    const s = truthOf(await h.ctl.pimState(UPN));
    const a = await archiveAt(mailbox.id, new Date());
    expect(a.notes).toEqual(s.notes);
    expect(a.contacts).toEqual(s.contacts);
  });
});

describe("a generated demo mailbox", () => {
  it("archives the generator's calendar series, contacts, task lists and notes exactly", async () => {
    const g = await startHarness();
    try {
      await g.ctl.reset({ seed: 7, users: 3, messagesPerUser: 1 });
      const owner = (await g.ctl.users()).find((u) => u.hasMailbox && u.userPurpose === "user") as {
        userPrincipalName: string;
      };
      const mailbox = await resolveMailbox(g.deps, owner.userPrincipalName);
      // the whole tenant (as `coffer sync-pim --all`): every enabled, licensed user
      const all = await syncPimTenant(g.deps, { parallel: 2 });
      expect(all.mailboxes.length).toBeGreaterThan(0);
      for (const m of all.mailboxes)
        expect(m.types.map((x) => `${x.type}:${x.status}`)).toEqual([
          "calendar:synced",
          "contacts:synced",
          "tasks:synced",
          "notes:synced",
        ]);
      expect(all.mailboxes.map((m) => m.upn)).toContain(mailbox.upn);
      const state = await g.ctl.pimState(owner.userPrincipalName);
      const at = new Date();
      for (const [type, truth] of [
        ["calendar", state.events],
        ["contacts", state.contacts],
        ["tasks", state.tasks],
        ["notes", state.notes],
      ] as const) {
        const archived = (await listPimItems(g.db, mailbox.id, type, { at }))
          .map((i) => `${i.graphId}:${i.sha256}`)
          .sort();
        expect(archived).toEqual(truth.map((t) => `${t.id}:${t.sha256}`).sort());
      }
      // every event renders as ICS that ical.js parses, with one VEVENT per exception besides the master
      for (const e of state.events) {
        const o = await readPimOriginal(g.db, g.blobs, mailbox.id, "calendar", e.id);
        const cal = new ICAL.Component(ICAL.parse(o?.rendering?.text ?? ""));
        expect(cal.getAllSubcomponents("vevent").length).toBe(1 + e.exceptionIds.length);
      }
      for (const c of state.contacts) {
        const o = await readPimOriginal(g.db, g.blobs, mailbox.id, "contacts", c.id);
        const card = new ICAL.Component(ICAL.parse(o?.rendering?.text ?? ""));
        expect(card.getFirstPropertyValue("fn")).toBe(c.displayName);
      }
      const withFiles = state.tasks.filter((t) => t.attachments.length > 0);
      const lists = await getTaskLists(g.db, mailbox.id);
      for (const t of withFiles) {
        const archived = lists.flatMap((l) => l.tasks).find((x) => x.graphId === t.id);
        expect(archived?.attachments.map((a) => a.sha256).sort()).toEqual(
          t.attachments.map((a) => a.sha256).sort(),
        );
      }
      // the month view of the generator's epoch month has the weekly series and the daily stand-up in it
      const view = await getCalendarView(g.db, mailbox.id, {
        from: new Date("2026-10-01T00:00:00Z"),
        to: new Date("2026-11-01T00:00:00Z"),
      });
      expect(view.filter((v) => v.subject === "Weekly team sync").length).toBeGreaterThanOrEqual(3);
    } finally {
      await g.close();
    }
  });
});
