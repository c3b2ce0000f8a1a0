import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PageIterator, ResponseType } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appToken, deltaRound, graphClient, raw, startTestSim, type TestSim } from "./helpers";

/** Calendars, contacts, To Do and notes through the real Graph SDK and raw HTTPS. */

let t: TestSim;
let token: string;
const upn = "pim.owner@contoso.example";
const u = `/v1.0/users/${encodeURIComponent(upn)}`;
const b = `/beta/users/${encodeURIComponent(upn)}`;
const IMMUTABLE = { Prefer: 'IdType="ImmutableId"' };
type J = Record<string, unknown>;

beforeAll(async () => {
  t = await startTestSim({ throttle: false });
  await t.ctl.createUser({ userPrincipalName: upn, displayName: "Pim Owner" });
  token = await appToken(t);
});
afterAll(() => t.close());

const sha = (x: Buffer | string) => createHash("sha256").update(x).digest("hex");

const weekly = {
  subject: "Weekly sync",
  start: { dateTime: "2026-03-02T09:30:00", timeZone: "W. Europe Standard Time" },
  end: { dateTime: "2026-03-02T10:00:00", timeZone: "W. Europe Standard Time" },
  recurrence: {
    pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "monday" },
    range: {
      type: "numbered",
      startDate: "2026-03-02",
      numberOfOccurrences: 10,
      recurrenceTimeZone: "W. Europe Standard Time",
    },
  },
};

describe("calendar", () => {
  it("serves calendars, series masters with exceptions, instances and the default calendar", async () => {
    const master = await t.ctl.createEvent(upn, weekly);
    await t.ctl.cancelOccurrence(upn, master.id, "2026-03-09");
    const exc = await t.ctl.addEventException(upn, master.id, {
      originalStartDate: "2026-03-16",
      subject: "Weekly sync (moved)",
      start: { dateTime: "2026-03-16T11:00:00", timeZone: "W. Europe Standard Time" },
      end: { dateTime: "2026-03-16T11:30:00", timeZone: "W. Europe Standard Time" },
    });
    const client = graphClient(t, token);
    const cals = (await client.api(`/users/${upn}/calendars`).get()) as { value: J[] };
    expect(cals.value.map((c) => c.name)).toEqual(["Calendar"]);
    const def = (await client.api(`/users/${upn}/calendar`).get()) as J;
    expect(def.isDefaultCalendar).toBe(true);

    const got = (await client
      .api(`/users/${upn}/events/${master.id}`)
      .header("Prefer", IMMUTABLE.Prefer)
      .expand("exceptionOccurrences")
      .get()) as J;
    expect(got.type).toBe("seriesMaster");
    // Graph answers in UTC unless Prefer: outlook.timezone says otherwise (09:30 Berlin = 08:30 UTC in March)
    expect(got.start).toEqual({ dateTime: "2026-03-02T08:30:00.0000000", timeZone: "UTC" });
    expect(got.cancelledOccurrences).toEqual([`OID.${master.id}.2026-03-09`]);
    const excs = got.exceptionOccurrences as J[];
    expect(excs.map((e) => [e.id, e.type, e.subject, e.seriesMasterId])).toEqual([
      [exc.id, "exception", "Weekly sync (moved)", master.id],
    ]);

    const local = (await client
      .api(`/users/${upn}/events/${master.id}`)
      .header("Prefer", 'outlook.timezone="Pacific Standard Time"')
      .get()) as J;
    expect(local.start).toEqual({
      dateTime: "2026-03-02T00:30:00.0000000",
      timeZone: "Pacific Standard Time",
    });

    const inst = (await client
      .api(
        `/users/${upn}/events/${master.id}/instances?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z`,
      )
      .header("Prefer", IMMUTABLE.Prefer)
      .get()) as { value: J[] };
    // Mondays 2, 9 (cancelled), 16 (exception), 23, 30; after the DST change (29 March) 09:30 Berlin is 07:30 UTC
    expect(inst.value.map((i) => [i.type, (i.start as J).dateTime])).toEqual([
      ["occurrence", "2026-03-02T08:30:00.0000000"],
      ["exception", "2026-03-16T10:00:00.0000000"],
      ["occurrence", "2026-03-23T08:30:00.0000000"],
      ["occurrence", "2026-03-30T07:30:00.0000000"],
    ]);
    const occ = inst.value[0] as J;
    expect(occ.seriesMasterId).toBe(master.id);
    const again = (await client.api(`/users/${upn}/events/${occ.id as string}`).get()) as J;
    expect(again.type).toBe("occurrence");

    const noWindow = await raw(t, "GET", `${u}/events/${master.id}/instances`, { token });
    expect(noWindow.status).toBe(400);
    expect(noWindow.json.error?.code).toBe("ErrorInvalidParameter");
  });

  it("calendarView delta returns instances in the window, then changes, and @removed for events moved out of it", async () => {
    const inWin = await t.ctl.createEvent(upn, {
      subject: "Dentist",
      start: { dateTime: "2026-03-04T15:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-03-04T16:00:00", timeZone: "UTC" },
    });
    const url = `${u}/calendarView/delta?startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-31T00:00:00Z`;
    const first = await deltaRound(t, token, url, { Prefer: `odata.maxpagesize=2, ${IMMUTABLE.Prefer}` });
    expect(first.pages).toBeGreaterThan(1);
    const subjects = first.items.map((i) => `${i.type}:${i.subject}`);
    expect(subjects).toContain("singleInstance:Dentist");
    expect(subjects.filter((s) => s.startsWith("occurrence:Weekly")).length).toBe(3);
    expect(subjects).toContain("exception:Weekly sync (moved)");

    await t.ctl.updateEvent(upn, inWin.id, {
      start: { dateTime: "2026-05-04T15:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-05-04T16:00:00", timeZone: "UTC" },
    });
    const second = await deltaRound(t, token, first.deltaLink, IMMUTABLE);
    expect(second.items).toContainEqual({
      "@odata.type": "#microsoft.graph.event",
      id: inWin.id,
      "@removed": { reason: "deleted" },
    });
    // a superseded delta token is gone
    const stale = await raw(t, "GET", first.deltaLink, { token });
    expect(stale.status).toBe(410);
    expect(stale.json.error?.code).toBe("SyncStateNotFound");
  });

  it("beta events delta lists only id, type, start, end of singles and masters; an exception change reports its master", async () => {
    const cal = await t.ctl.createCalendar(upn, { name: "Team" });
    const m = await t.ctl.createEvent(upn, { ...weekly, calendar: "Team", subject: "Team weekly" });
    const s = await t.ctl.createEvent(upn, {
      calendar: cal.id,
      subject: "One-off",
      start: { dateTime: "2026-04-01T10:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-04-01T11:00:00", timeZone: "UTC" },
    });
    const first = await deltaRound(t, token, `${b}/calendars/${cal.id}/events/delta`, IMMUTABLE);
    expect(first.items.map((i) => i.id).sort()).toEqual([m.id, s.id].sort());
    for (const i of first.items)
      expect(Object.keys(i).sort()).toEqual(["@odata.etag", "@odata.type", "end", "id", "start", "type"]);
    await t.ctl.addEventException(upn, m.id, {
      originalStartDate: "2026-03-23",
      subject: "Team weekly (room change)",
    });
    const second = await deltaRound(t, token, first.deltaLink, IMMUTABLE);
    expect(second.items.map((i) => i.id)).toEqual([m.id]);
    await t.ctl.deleteEvent(upn, s.id);
    const third = await deltaRound(t, token, second.deltaLink, IMMUTABLE);
    expect(third.items).toEqual([
      { "@odata.type": "#microsoft.graph.event", id: s.id, "@removed": { reason: "deleted" } },
    ]);
    const v1 = await raw(t, "GET", `${u}/calendars/${cal.id}/events/delta`, { token });
    expect(v1.status).toBe(400);
  });

  it("serves event file attachments (list without bytes when selected, get with contentBytes, $value)", async () => {
    const pdf = Buffer.from("%PDF-1.4\n% agenda\n");
    const e = await t.ctl.createEvent(upn, {
      subject: "Board meeting",
      start: { dateTime: "2026-04-02T09:00:00", timeZone: "UTC" },
      end: { dateTime: "2026-04-02T10:00:00", timeZone: "UTC" },
      attachments: [
        { name: "agenda.pdf", contentType: "application/pdf", contentBytes: pdf.toString("base64") },
      ],
    });
    const client = graphClient(t, token);
    const got = (await client.api(`/users/${upn}/events/${e.id}`).get()) as J;
    expect(got.hasAttachments).toBe(true);
    const list = (await client
      .api(`/users/${upn}/events/${e.id}/attachments`)
      .select("id,name,size")
      .get()) as { value: J[] };
    expect(list.value.map((a) => [a.name, a.size, "contentBytes" in a])).toEqual([
      ["agenda.pdf", pdf.length, false],
    ]);
    const one = (await client
      .api(`/users/${upn}/events/${e.id}/attachments/${list.value[0]?.id as string}`)
      .get()) as J;
    expect(Buffer.from(String(one.contentBytes), "base64").equals(pdf)).toBe(true);
    const bytes = (await client
      .api(`/users/${upn}/events/${e.id}/attachments/${list.value[0]?.id as string}/$value`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get()) as ArrayBuffer;
    expect(Buffer.from(bytes).equals(pdf)).toBe(true);
    const st = await t.ctl.pimState(upn);
    expect(st.events.find((x) => x.id === e.id)?.attachments.map((a) => a.sha256)).toEqual([sha(pdf)]);
    await t.ctl.updateEvent(upn, e.id, { removeAttachments: [list.value[0]?.id] });
    expect(((await client.api(`/users/${upn}/events/${e.id}`).get()) as J).hasAttachments).toBe(false);
  });

  it("the state's sha256 is the sha256 of the canonical GET bytes", async () => {
    const st = await t.ctl.pimState(upn);
    const e = st.events.find((x) => x.type === "seriesMaster") as (typeof st.events)[number];
    const r = await raw(
      t,
      "GET",
      `/v1.0/users/${st.events.length ? (await t.ctl.users()).find((x) => x.userPrincipalName === upn)?.id : ""}/events/${e.id}?$expand=exceptionOccurrences`,
      { token, headers: IMMUTABLE },
    );
    expect(r.status).toBe(200);
    expect(sha(r.bytes)).toBe(e.sha256);
  });
});

describe("contacts", () => {
  it("v1.0 shows one mobile and no assistant phone; beta phones[] shows them all", async () => {
    const c = await t.ctl.createContact(upn, {
      givenName: "Ada",
      surname: "Lovelace",
      displayName: "Ada Lovelace",
      emailAddresses: [{ name: "Ada", address: "ada@example.com" }],
      phones: [
        { type: "mobile", number: "+44 7700 900001" },
        { type: "mobile", number: "+44 7700 900002" },
        { type: "assistant", number: "+44 20 7946 0001" },
        { type: "business", number: "+44 20 7946 0000" },
      ],
      businessAddress: {
        street: "1 Analytical Way",
        city: "London",
        postalCode: "N1",
        countryOrRegion: "UK",
      },
    });
    const client = graphClient(t, token);
    const v1 = (await client.api(`/users/${upn}/contacts/${c.id}`).get()) as J;
    expect(v1.mobilePhone).toBe("+44 7700 900001");
    expect(v1.businessPhones).toEqual(["+44 20 7946 0000"]);
    expect(JSON.stringify(v1)).not.toContain("7946 0001");
    expect(v1.businessAddress).toEqual({
      street: "1 Analytical Way",
      city: "London",
      postalCode: "N1",
      countryOrRegion: "UK",
    });
    const beta = (await client.api(`/users/${upn}/contacts/${c.id}`).version("beta").get()) as J;
    expect(beta.phones).toEqual([
      { type: "mobile", number: "+44 7700 900001" },
      { type: "mobile", number: "+44 7700 900002" },
      { type: "assistant", number: "+44 20 7946 0001" },
      { type: "business", number: "+44 20 7946 0000" },
    ]);
    expect(beta).not.toHaveProperty("mobilePhone");
  });

  it("folder delta and per-folder contact delta with moves and deletes; the well-known Contacts id", async () => {
    const def = (await raw(t, "GET", `${u}/contactFolders/Contacts`, { token })).json;
    const f = await t.ctl.createContactFolder(upn, { displayName: "Suppliers" });
    const folders = await deltaRound(t, token, `${u}/contactFolders/delta`);
    expect(folders.items.map((x) => [x.displayName, x.parentFolderId])).toEqual([["Suppliers", def.id]]);
    const first = await deltaRound(
      t,
      token,
      `${u}/contactFolders/${def.id as string}/contacts/delta?$select=displayName`,
      { Prefer: `odata.maxpagesize=1, ${IMMUTABLE.Prefer}` },
    );
    const ada = first.items.find((x) => x.displayName === "Ada Lovelace") as J;
    expect(Object.keys(ada).sort()).toEqual(["@odata.etag", "@odata.type", "displayName", "id"]);
    await t.ctl.updateContact(upn, ada.id as string, { folder: f.id });
    const second = await deltaRound(t, token, first.deltaLink, IMMUTABLE);
    expect(second.items).toEqual([
      { "@odata.type": "#microsoft.graph.contact", id: ada.id, "@removed": { reason: "deleted" } },
    ]);
    const inF = await deltaRound(t, token, `${u}/contactFolders/${f.id}/contacts/delta`, IMMUTABLE);
    expect(inF.items.map((x) => x.id)).toEqual([ada.id]);
    await t.ctl.deleteContactFolder(upn, f.id);
    const gone = await raw(t, "GET", inF.deltaLink, { token });
    expect(gone.status).toBe(404);
    expect(gone.json.error?.code).toBe("ErrorSyncFolderNotFound");
    const folders2 = await deltaRound(t, token, folders.deltaLink);
    expect(folders2.items).toEqual([
      { "@odata.type": "#microsoft.graph.contactFolder", id: f.id, "@removed": { reason: "deleted" } },
    ]);
  });
});

describe("To Do", () => {
  it("lists, tasks with steps ($expand=checklistItems), attachments with $value, and deltas that see step changes", async () => {
    const list = await t.ctl.createTodoList(upn, { displayName: "Projekt 🚀" });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const task = await t.ctl.createTask(upn, {
      list: list.id,
      title: "Ship it",
      importance: "high",
      checklistItems: [{ displayName: "Write notes" }, { displayName: "Tag", isChecked: true }],
      attachments: [{ name: "shot.png", contentType: "image/png", contentBytes: png.toString("base64") }],
    });
    const client = graphClient(t, token);
    const lists: J[] = [];
    const it0 = new PageIterator(
      client,
      (await client.api(`/users/${upn}/todo/lists`).get()) as never,
      (x) => {
        lists.push(x as J);
        return true;
      },
    );
    await it0.iterate();
    expect(lists.map((l) => [l.displayName, l.wellknownListName])).toEqual([
      ["Tasks", "defaultList"],
      ["Projekt 🚀", "none"],
    ]);
    const got = (await client
      .api(`/users/${upn}/todo/lists/${list.id}/tasks/${task.id}`)
      .expand("checklistItems")
      .get()) as J;
    expect((got.checklistItems as J[]).map((c) => [c.displayName, c.isChecked, c.id])).toEqual([
      ["Write notes", false, task.checklistItemIds[0]],
      ["Tag", true, task.checklistItemIds[1]],
    ]);
    expect(got.hasAttachments).toBe(true);
    const atts = (await client
      .api(`/users/${upn}/todo/lists/${list.id}/tasks/${task.id}/attachments`)
      .get()) as { value: J[] };
    expect(atts.value.map((a) => [a.name, a.size, a.contentType])).toEqual([
      ["shot.png", png.length, "image/png"],
    ]);
    const bytes = (await client
      .api(`/users/${upn}/todo/lists/${list.id}/tasks/${task.id}/attachments/${task.attachmentIds[0]}/$value`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get()) as ArrayBuffer;
    expect(Buffer.from(bytes).equals(png)).toBe(true);

    const lists1 = await deltaRound(t, token, `${u}/todo/lists/delta`);
    expect(lists1.items.map((l) => l.displayName)).toContain("Projekt 🚀");
    const tasks1 = await deltaRound(t, token, `${u}/todo/lists/${list.id}/tasks/delta`);
    expect(tasks1.items.map((x) => x.title)).toEqual(["Ship it"]);
    await t.ctl.updateTask(upn, task.id, {
      checklistItems: [{ id: task.checklistItemIds[0], isChecked: true }],
    });
    const tasks2 = await deltaRound(t, token, tasks1.deltaLink);
    expect(tasks2.items.map((x) => x.id)).toEqual([task.id]);
    await t.ctl.deleteTask(upn, task.id);
    const tasks3 = await deltaRound(t, token, tasks2.deltaLink);
    expect(tasks3.items).toEqual([
      { "@odata.type": "#microsoft.graph.todoTask", id: task.id, "@removed": { reason: "deleted" } },
    ]);
  });
});

describe("notes", () => {
  it("are beta only, with list, get and delta", async () => {
    const n = await t.ctl.createNote(upn, { subject: "Wi-Fi", body: "<p>Guest: <b>Contoso</b></p>" });
    const v1 = await raw(t, "GET", `${u}/notes`, { token });
    expect(v1.status).toBe(400);
    const client = graphClient(t, token);
    const got = (await client.api(`/users/${upn}/notes/${n.id}`).version("beta").get()) as J;
    expect([got.subject, got.bodyPreview, got.isDeleted]).toEqual(["Wi-Fi", "Guest: Contoso", false]);
    const d1 = await deltaRound(t, token, `${b}/notes/delta`);
    expect(d1.items.map((x) => x.id)).toEqual([n.id]);
    await t.ctl.updateNote(upn, n.id, { subject: "Wi-Fi (new)" });
    const d2 = await deltaRound(t, token, d1.deltaLink);
    expect(d2.items.map((x) => x.subject)).toEqual(["Wi-Fi (new)"]);
    const st = await t.ctl.pimState(upn);
    const r = await raw(t, "GET", `/beta/users/${(await t.ctl.users())[0]?.id}/notes/${n.id}`, { token });
    expect(sha(r.bytes)).toBe(st.notes[0]?.sha256);
  });
});

describe("generated tenant", () => {
  it("imports the generator's series, exceptions, cancelled occurrences, contacts, lists and notes", async () => {
    const g = await startTestSim({
      tenant: { seed: 5, users: 3, messagesPerUser: 2 },
      generator: undefined as never,
    });
    try {
      const owner = (await g.ctl.users()).find((x) => x.hasMailbox && x.userPurpose === "user") as {
        userPrincipalName: string;
      };
      const st = await g.ctl.pimState(owner.userPrincipalName);
      expect(st.events.some((e) => e.type === "seriesMaster" && e.exceptionIds.length > 0)).toBe(true);
      expect(st.contacts.length).toBeGreaterThan(5);
      expect(st.contactFolders.length).toBe(2);
      expect(st.todoLists.map((l) => l.wellknownListName)).toEqual(
        expect.arrayContaining(["defaultList", "flaggedEmails"]),
      );
      expect(st.tasks.some((x) => x.attachments.length > 0 && x.checklistItemIds.length > 0)).toBe(true);
      expect(st.notes.length).toBeGreaterThan(2);
      const tok = await appToken(g);
      const master = st.events.find((e) => e.exceptionIds.length > 0) as (typeof st.events)[number];
      const r = await raw(
        g,
        "GET",
        `/v1.0/users/${encodeURIComponent(owner.userPrincipalName)}/events/${master.id}?$expand=exceptionOccurrences`,
        { token: tok, headers: IMMUTABLE },
      );
      const cancelled = r.json.cancelledOccurrences as string[];
      expect(cancelled.every((c) => c.startsWith(`OID.${master.id}.`))).toBe(true);
      expect((r.json.exceptionOccurrences as J[]).map((x) => x.id)).toEqual(master.exceptionIds);
    } finally {
      await g.close();
    }
  });
});

describe("persistence", () => {
  it("keeps calendars, events, contacts, tasks (with attachments) and notes across a restart", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pim-state-"));
    const stateFile = path.join(dir, "state.json");
    const a = await startTestSim({ stateFile, throttle: false });
    let before: Awaited<ReturnType<typeof a.ctl.pimState>>;
    try {
      await a.ctl.createUser({ userPrincipalName: "keep@contoso.example", displayName: "Keep" });
      const m = await a.ctl.createEvent("keep@contoso.example", weekly);
      await a.ctl.addEventException("keep@contoso.example", m.id, {
        originalStartDate: "2026-03-23",
        subject: "moved",
      });
      await a.ctl.createContact("keep@contoso.example", {
        displayName: "Kept",
        phones: [{ type: "pager", number: "1" }],
      });
      await a.ctl.createTask("keep@contoso.example", {
        title: "Kept",
        attachments: [{ name: "a.txt", contentType: "text/plain", contentBytes: "aGk=" }],
      });
      await a.ctl.createNote("keep@contoso.example", { subject: "Kept" });
      before = await a.ctl.pimState("keep@contoso.example");
    } finally {
      await a.close();
    }
    const b = await startTestSim({ stateFile, throttle: false });
    try {
      const after = await b.ctl.pimState("keep@contoso.example");
      // sha256s cover @odata.context, which names the (new) port: compare everything else
      const strip = (x: typeof before) =>
        JSON.stringify({
          ...x,
          events: x.events.map(({ sha256: _s, ...e }) => e),
          contacts: x.contacts.map(({ sha256: _s, ...c }) => c),
          tasks: x.tasks.map(({ sha256: _s, ...t }) => t),
          notes: x.notes.map(({ sha256: _s, ...n }) => n),
        });
      expect(strip(after)).toBe(strip(before));
      expect(after.tasks[0]?.attachments[0]?.sha256).toBe(sha("hi"));
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an older state file without PIM data gains the generator's calendars, contacts, tasks and notes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pim-old-"));
    const stateFile = path.join(dir, "state.json");
    const a = await startTestSim({
      stateFile,
      tenant: { seed: 4, users: 3, messagesPerUser: 1 },
      generator: undefined as never,
    });
    const owner = (
      (await a.ctl.users()).find((x) => x.hasMailbox && x.userPurpose === "user") as {
        userPrincipalName: string;
      }
    ).userPrincipalName;
    const fresh = await a.ctl.pimState(owner);
    await a.close();
    // what a state file written before the PIM stores existed looks like
    const snap = JSON.parse(readFileSync(stateFile, "utf8")) as {
      mailboxes: Array<{ extra?: Record<string, unknown> }>;
    };
    for (const m of snap.mailboxes) delete m.extra?.pim;
    writeFileSync(stateFile, JSON.stringify(snap));
    const b = await startTestSim({ stateFile, generator: undefined as never });
    try {
      const st = await b.ctl.pimState(owner);
      expect(st.events.length).toBe(fresh.events.length);
      expect(st.contacts.map((c) => c.displayName).sort()).toEqual(
        fresh.contacts.map((c) => c.displayName).sort(),
      );
      expect(st.notes.length).toBeGreaterThan(0);
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
