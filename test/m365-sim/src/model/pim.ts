import { stateContributors } from "../control";
import { eventGetBody, exceptionDay, occurrenceTiming, registerCalendar } from "../graph/calendar";
import { contactGetBody, mergeContactProps, registerContacts } from "../graph/contacts";
import { noteGetBody, registerNotes } from "../graph/notes";
import { registerTodo, taskGetBody } from "../graph/todo";
import { GraphError, type SimRequest, type SimResponse } from "../http";
import type { Simulator } from "../sim";
import type { MailboxSpec } from "../tenant-source";
import type { Mailbox } from "./mailbox";
import { occurrenceDays, type PatternedRecurrence } from "./pim-recurrence";
import {
  type ChecklistRec,
  type ContainerKind,
  type ContainerRec,
  PIM_STORE_KEY,
  type PimItem,
  PimStore,
  pimOf,
  type TaskAttachmentRec,
} from "./pim-store";
import { dayNumber, utcToWall } from "./pim-time";
import { bodyBytes, canonicalView, sha256 } from "./pim-view";
import { Tenant, type UserRec } from "./tenant";

/**
 * Plugs calendars, contacts, To Do and notes into the simulator: a store per mailbox (with Exchange's
 * default calendar, contact folder and task list), the generator's PIM data, the Graph routes, the
 * control API's create/update/delete endpoints, and the state section with a sha256 per item.
 */

type Json = Record<string, unknown>;

function attachStore(_t: Tenant, mbx: Mailbox): void {
  if (mbx.stores.has(PIM_STORE_KEY)) return;
  const s = new PimStore(mbx);
  s.addContainer("calendar", "Calendar", { wellKnown: "calendar" });
  s.addContainer("contactFolder", "Contacts", { wellKnown: "contacts" });
  s.addContainer("todoList", "Tasks", { wellKnown: "defaultList" });
  mbx.stores.set(PIM_STORE_KEY, s);
}

function times(o: Json): { created?: string; modified?: string } {
  const out: { created?: string; modified?: string } = {};
  if (typeof o.createdDateTime === "string") out.created = o.createdDateTime;
  if (typeof o.lastModifiedDateTime === "string") out.modified = o.lastModifiedDateTime;
  return out;
}

function withoutMeta(o: Json, extra: string[] = []): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (["id", "createdDateTime", "lastModifiedDateTime", "changeKey", "@odata.etag", ...extra].includes(k))
      continue;
    out[k] = v;
  }
  return out;
}

const PLACEHOLDER = /events\[(\d+)\]/;

/** The generator's PIM data for one mailbox (placeholders `events[<n>]` become ids). */
export function importSpec(_t: Tenant, mbx: Mailbox, spec: MailboxSpec): void {
  const s = mbx.stores.get(PIM_STORE_KEY);
  if (!(s instanceof PimStore)) return;
  s.isPristine = false;
  importInto(s, spec);
}

function importInto(s: PimStore, spec: MailboxSpec): void {
  const cal = s.defaultContainer("calendar");
  const byIndex = new Map<number, PimItem>();
  const events = (spec.events ?? []) as Json[];
  events.forEach((e, i) => {
    if (e.type === "exception") return;
    const props = withoutMeta(e, ["cancelledOccurrences", "seriesMasterId"]);
    const cancelled = ((e.cancelledOccurrences as string[] | undefined) ?? [])
      .map((c) => /\.(\d{4}-\d{2}-\d{2})$/.exec(c)?.[1])
      .filter((d): d is string => !!d);
    if (cancelled.length) props._cancelled = cancelled;
    byIndex.set(i, s.addItem("event", cal.key, props, times(e)));
  });
  for (const e of events) {
    if (e.type !== "exception") continue;
    const m = PLACEHOLDER.exec(String(e.seriesMasterId ?? ""));
    const master = m ? byIndex.get(Number(m[1])) : undefined;
    if (!master) continue;
    const x = s.addItem("event", cal.key, withoutMeta(e, ["seriesMasterId"]), times(e));
    x.masterKey = master.key;
  }
  const folders =
    spec.contactFolders ?? (spec.contacts ? [{ displayName: "Contacts", contacts: spec.contacts }] : []);
  const def = s.defaultContainer("contactFolder");
  folders.forEach((f, i) => {
    const folder = i === 0 ? def : s.addContainer("contactFolder", f.displayName, { parentKey: def.key });
    for (const c of f.contacts as Json[])
      s.addItem("contact", folder.key, mergeContactProps({}, withoutMeta(c)), times(c));
  });
  for (const l of spec.todoLists ?? []) {
    const wk = l.wellknownListName && l.wellknownListName !== "none" ? l.wellknownListName : undefined;
    let list = wk
      ? [...s.containers.values()].find((c) => c.kind === "todoList" && c.wellKnown === wk)
      : undefined;
    if (list) list.displayName = l.displayName;
    else list = s.addContainer("todoList", l.displayName, wk ? { wellKnown: wk } : {});
    for (const t of l.tasks) addTask(s, list, t.task as Json, t.checklistItems ?? [], t.attachments ?? []);
  }
  for (const n of (spec.notes ?? []) as Json[]) s.addItem("note", 0, withoutMeta(n), times(n));
}

function addTask(
  s: PimStore,
  list: ContainerRec,
  task: Json,
  checklist: Json[],
  attachments: Array<{ name: string; contentType: string; contentBytes: string }>,
): PimItem {
  const it = s.addItem(
    "task",
    list.key,
    withoutMeta(task, ["checklistItems", "attachments", "list"]),
    times(task),
  );
  it.checklist = checklist.map((c) => newChecklist(s, c, it.created));
  it.attachments = [];
  for (const a of attachments) it.attachments.push(newAttachment(s, it, a, it.created));
  return it;
}

function newChecklist(s: PimStore, c: Json, created: string): ChecklistRec {
  const r: ChecklistRec = {
    key: s.mbx.nextKey++,
    displayName: String(c.displayName ?? ""),
    isChecked: c.isChecked === true,
    createdDateTime: typeof c.createdDateTime === "string" ? c.createdDateTime : created,
  };
  if (r.isChecked) r.checkedDateTime = typeof c.checkedDateTime === "string" ? c.checkedDateTime : s.now();
  return r;
}

/** Attachment keys are per task (they are the 16-bit sub-index of the attachment id). */
function newAttachment(
  s: PimStore,
  task: PimItem,
  a: { name?: unknown; contentType?: unknown; contentBytes?: unknown },
  at: string,
): TaskAttachmentRec {
  const bytes = Buffer.from(String(a.contentBytes ?? ""), "base64");
  const key = Math.max(0, ...(task.attachments ?? []).map((x) => x.key)) + 1;
  if (key > 0xffff) throw new Fail(400, "Too many attachments on this task.");
  return {
    key,
    name: String(a.name ?? "attachment"),
    contentType: String(a.contentType ?? "application/octet-stream"),
    size: bytes.length,
    sha: s.mbx.sources.blobs.put(bytes),
    lastModifiedDateTime: at,
  };
}

// ---------------- state ----------------

function pimState(sim: Simulator, user: UserRec, mbx: Mailbox): Json {
  const s = pimOf(mbx);
  const v1 = canonicalView(sim.url, "v1.0", user.id);
  const beta = canonicalView(sim.url, "beta", user.id);
  const containers = (kind: ContainerKind) => [...s.containers.values()].filter((c) => c.kind === kind);
  const blobs = mbx.sources.blobs;
  return {
    calendars: containers("calendar").map((c) => ({
      id: s.containerId(c),
      name: c.displayName,
      isDefault: c.wellKnown === "calendar",
    })),
    events: s
      .itemsOf("event")
      .filter((e) => e.masterKey === undefined)
      .map((e) => {
        const body = eventGetBody(v1, s, e);
        return {
          id: s.itemId(e, "immutable"),
          restId: s.itemId(e, "rest"),
          calendarId: s.containerId({ key: e.container, kind: "calendar" }),
          type: body.type,
          subject: body.subject,
          exceptionIds: s.exceptionsOf(e).map((x) => s.itemId(x, "immutable")),
          attachments: (e.attachments ?? []).map((a) => ({
            id: s.attachmentId(e, a),
            name: a.name,
            size: a.size,
            sha256: a.sha,
          })),
          sha256: sha256(bodyBytes(body)),
        };
      }),
    contactFolders: containers("contactFolder").map((c) => ({
      id: s.containerId(c),
      displayName: c.displayName,
      parentId: c.parentKey ? s.containerId({ key: c.parentKey, kind: "contactFolder" }) : null,
      wellKnownName: c.wellKnown ?? null,
    })),
    contacts: s.itemsOf("contact").map((c) => ({
      id: s.itemId(c, "immutable"),
      restId: s.itemId(c, "rest"),
      folderId: s.containerId({ key: c.container, kind: "contactFolder" }),
      displayName: c.props.displayName ?? "",
      sha256: sha256(bodyBytes(contactGetBody(beta, s, c))),
    })),
    todoLists: containers("todoList").map((c) => ({
      id: s.containerId(c),
      displayName: c.displayName,
      wellknownListName: c.wellKnown ?? "none",
    })),
    tasks: s.itemsOf("task").map((t) => ({
      id: s.itemId(t),
      listId: s.containerId({ key: t.container, kind: "todoList" }),
      title: t.props.title ?? "",
      checklistItemIds: (t.checklist ?? []).map((c) => s.checklistId(c)),
      attachments: (t.attachments ?? []).map((a) => ({
        id: s.attachmentId(t, a),
        name: a.name,
        size: a.size,
        sha256: blobs.has(a.sha) ? a.sha : "",
      })),
      sha256: sha256(bodyBytes(taskGetBody(v1, s, t))),
    })),
    notes: s.itemsOf("note").map((n) => ({
      id: s.itemId(n),
      subject: n.props.subject ?? "",
      sha256: sha256(bodyBytes(noteGetBody(beta, s, n))),
    })),
  };
}

// ---------------- control API ----------------

class Fail extends GraphError {
  constructor(status: number, message: string, code = "BadRequest") {
    super(status, code, message);
  }
}

function body<T = Json>(req: SimRequest): T {
  if (req.body.length === 0) return {} as T;
  try {
    return JSON.parse(req.body.toString("utf8")) as T;
  } catch {
    throw new Fail(400, "The body is not valid JSON.");
  }
}

function storeOf(sim: Simulator, upn: string | undefined): PimStore {
  const u = sim.tenant.userByIdOrUpn(upn ?? "");
  if (!u) throw new Fail(404, `No user '${upn}'.`, "NotFound");
  const mbx = sim.tenant.mailboxOf(u);
  if (!mbx) throw new Fail(404, `User '${upn}' has no mailbox.`, "NotFound");
  return pimOf(mbx);
}

type Handler = (s: PimStore, b: Json, p: Record<string, string>, sim: Simulator) => SimResponse | Json;

function route(sim: Simulator, method: string, path: string, fn: Handler, status = 200): void {
  sim.control.add(method, path, async (s, req, params) => {
    try {
      const store = storeOf(s, params.upn);
      const out = fn(store, body(req), params, s);
      s.tenant.changed();
      if (method === "DELETE") return { status: 204 };
      return "status" in out && typeof out.status === "number" ? (out as SimResponse) : { status, json: out };
    } catch (err) {
      if (err instanceof GraphError)
        return { status: err.status, json: { error: { code: err.code, message: err.message } } };
      return {
        status: 500,
        json: { error: { code: "InternalServerError", message: (err as Error).message } },
      };
    }
  });
}

function container(s: PimStore, kind: ContainerKind, idOrName: unknown, dflt: boolean): ContainerRec {
  if (idOrName === undefined || idOrName === null || idOrName === "") {
    if (dflt) return s.defaultContainer(kind);
    throw new Fail(400, `A ${kind} is required.`);
  }
  const c = s.findContainer(kind, String(idOrName)) ?? s.containerByName(kind, String(idOrName));
  if (!c) throw new Fail(404, `No ${kind} '${String(idOrName)}'.`, "NotFound");
  return c;
}

function item(s: PimStore, kind: PimItem["kind"], id: string | undefined): PimItem {
  const it = s.findItem(kind, id ?? "");
  if (!it) throw new Fail(404, `No ${kind} '${id}'.`, "NotFound");
  return it;
}

/** Merges a PATCH: `null` removes a property, anything else replaces it. */
function merge(props: Json, patch: Json, skip: string[]): Json {
  const out = { ...props };
  for (const [k, v] of Object.entries(patch)) {
    if (skip.includes(k)) continue;
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function eventProps(b: Json): Json {
  const p = withoutMeta(b, ["calendar", "seriesMasterId", "cancelledOccurrences", "type"]);
  if (typeof p.location === "string") p.location = { displayName: p.location, locationType: "default" };
  if (typeof p.body === "string") p.body = { contentType: "html", content: p.body };
  for (const k of ["start", "end"]) {
    const v = p[k] as { dateTime?: string; timeZone?: string } | undefined;
    if (!v?.dateTime) throw new Fail(400, `${k} ({dateTime, timeZone}) is required.`);
  }
  p.originalStartTimeZone ??= (p.start as { timeZone?: string }).timeZone ?? "UTC";
  p.originalEndTimeZone ??= (p.end as { timeZone?: string }).timeZone ?? "UTC";
  return p;
}

const EVENT_SKIP = [
  "calendar",
  "id",
  "type",
  "seriesMasterId",
  "cancelledOccurrences",
  "createdDateTime",
  "lastModifiedDateTime",
];

function registerControlRoutes(sim: Simulator): void {
  // calendars
  route(
    sim,
    "POST",
    "users/:upn/calendars",
    (s, b) => {
      if (!b.name) throw new Fail(400, "name is required.");
      const c = s.addContainer("calendar", String(b.name), { props: { color: b.color ?? "auto" } });
      return { id: s.containerId(c) };
    },
    201,
  );
  route(sim, "PATCH", "users/:upn/calendars/:id", (s, b, p) => {
    const c = container(s, "calendar", p.id, false);
    if (b.name) c.displayName = String(b.name);
    s.touchContainer(c);
    return { id: s.containerId(c) };
  });
  route(sim, "DELETE", "users/:upn/calendars/:id", (s, _b, p) => {
    const c = container(s, "calendar", p.id, false);
    if (c.wellKnown) throw new Fail(400, "The default calendar cannot be deleted.");
    s.removeContainer(c);
    return {};
  });

  // events
  route(
    sim,
    "POST",
    "users/:upn/events",
    (s, b) => {
      const cal = container(s, "calendar", b.calendar, true);
      const it = s.addItem("event", cal.key, eventProps(b), times(b));
      it.attachments = [];
      for (const a of (b.attachments as Json[] | undefined) ?? [])
        it.attachments.push(newAttachment(s, it, a, it.created));
      return { id: s.itemId(it, "immutable"), restId: s.itemId(it, "rest") };
    },
    201,
  );
  route(
    sim,
    "POST",
    "users/:upn/events/:id/exceptions",
    (s, b, p) => {
      const master = item(s, "event", p.id);
      const rec = master.props.recurrence as PatternedRecurrence | undefined;
      if (!rec) throw new Fail(400, "The event is not a series master.");
      const date = String(b.originalStartDate ?? "");
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
        throw new Fail(400, "originalStartDate (yyyy-mm-dd) is required.");
      const day = dayNumber(date);
      if (!occurrenceDays(rec, day, day).includes(day))
        throw new Fail(400, `The series has no occurrence on ${date}.`);
      const existing = s.exceptionsOf(master).find((x) => exceptionDay(master, x) === day);
      if (existing)
        throw new Fail(
          409,
          `An exception for ${date} exists: ${s.itemId(existing, "immutable")}.`,
          "Conflict",
        );
      const t = occurrenceTiming(master, day);
      const zone = (master.props.originalStartTimeZone as string | undefined) ?? "UTC";
      const wall = (ms: number) =>
        new Date(utcToWall(ms, zone)).toISOString().replace(/\.(\d{3})Z$/, ".$10000");
      const base = merge(master.props, {}, []);
      delete base.recurrence;
      delete base._cancelled;
      const props = merge(
        {
          ...base,
          start: { dateTime: wall(t.startMs), timeZone: zone },
          end: { dateTime: wall(t.endMs), timeZone: zone },
        },
        b,
        [...EVENT_SKIP, "originalStartDate"],
      );
      if (typeof props.location === "string")
        props.location = { displayName: props.location, locationType: "default" };
      props.originalStart = new Date(t.startMs).toISOString().replace(/\.000Z$/, "Z");
      const x = s.addItem("event", master.container, props);
      x.masterKey = master.key;
      s.touch(master);
      return { id: s.itemId(x, "immutable"), restId: s.itemId(x, "rest") };
    },
    201,
  );
  route(sim, "POST", "users/:upn/events/:id/cancel", (s, b, p) => {
    const master = item(s, "event", p.id);
    const date = String(b.date ?? "");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Fail(400, "date (yyyy-mm-dd) is required.");
    const day = dayNumber(date);
    const exc = s.exceptionsOf(master).find((x) => exceptionDay(master, x) === day);
    if (exc) s.removeItem(exc);
    const list = new Set((master.props._cancelled as string[] | undefined) ?? []);
    list.add(date);
    master.props._cancelled = [...list].sort();
    s.touch(master);
    return { id: s.itemId(master, "immutable") };
  });
  route(sim, "PATCH", "users/:upn/events/:id", (s, b, p) => {
    const it = item(s, "event", p.id);
    it.props = merge(it.props, b, [...EVENT_SKIP, "addAttachments", "removeAttachments", "attachments"]);
    editAttachments(s, it, b);
    if (typeof it.props.location === "string")
      it.props.location = { displayName: it.props.location, locationType: "default" };
    if (typeof it.props.body === "string") it.props.body = { contentType: "html", content: it.props.body };
    if (b.calendar !== undefined && it.masterKey === undefined) {
      const cal = container(s, "calendar", b.calendar, false);
      for (const x of s.exceptionsOf(it)) x.container = cal.key;
      s.moveItem(it, cal.key);
    } else s.touch(it);
    return { id: s.itemId(it, "immutable"), restId: s.itemId(it, "rest") };
  });
  route(sim, "DELETE", "users/:upn/events/:id", (s, _b, p) => {
    s.removeItem(item(s, "event", p.id));
    return {};
  });

  // contact folders and contacts
  route(
    sim,
    "POST",
    "users/:upn/contact-folders",
    (s, b) => {
      if (!b.displayName) throw new Fail(400, "displayName is required.");
      const parent = container(s, "contactFolder", b.parent, true);
      const c = s.addContainer("contactFolder", String(b.displayName), { parentKey: parent.key });
      return { id: s.containerId(c) };
    },
    201,
  );
  route(sim, "PATCH", "users/:upn/contact-folders/:id", (s, b, p) => {
    const c = container(s, "contactFolder", p.id, false);
    if (c.wellKnown) throw new Fail(400, "The default contact folder cannot be changed.");
    if (b.displayName) c.displayName = String(b.displayName);
    if (b.parent !== undefined) c.parentKey = container(s, "contactFolder", b.parent, true).key;
    s.touchContainer(c);
    return { id: s.containerId(c) };
  });
  route(sim, "DELETE", "users/:upn/contact-folders/:id", (s, _b, p) => {
    const c = container(s, "contactFolder", p.id, false);
    if (c.wellKnown) throw new Fail(400, "The default contact folder cannot be deleted.");
    s.removeContainer(c);
    return {};
  });
  route(
    sim,
    "POST",
    "users/:upn/contacts",
    (s, b) => {
      const f = container(s, "contactFolder", b.folder, true);
      const it = s.addItem(
        "contact",
        f.key,
        mergeContactProps({}, withoutMeta(b, ["folder", "parentFolderId"])),
        times(b),
      );
      return { id: s.itemId(it, "immutable"), restId: s.itemId(it, "rest") };
    },
    201,
  );
  route(sim, "PATCH", "users/:upn/contacts/:id", (s, b, p) => {
    const it = item(s, "contact", p.id);
    it.props = mergeContactProps(it.props, withoutMeta(b, ["folder", "parentFolderId"]));
    if (b.folder !== undefined) s.moveItem(it, container(s, "contactFolder", b.folder, true).key);
    else s.touch(it);
    return { id: s.itemId(it, "immutable"), restId: s.itemId(it, "rest") };
  });
  route(sim, "DELETE", "users/:upn/contacts/:id", (s, _b, p) => {
    s.removeItem(item(s, "contact", p.id));
    return {};
  });

  // To Do
  route(
    sim,
    "POST",
    "users/:upn/todo-lists",
    (s, b) => {
      if (!b.displayName) throw new Fail(400, "displayName is required.");
      const c = s.addContainer("todoList", String(b.displayName));
      return { id: s.containerId(c) };
    },
    201,
  );
  route(sim, "PATCH", "users/:upn/todo-lists/:id", (s, b, p) => {
    const c = container(s, "todoList", p.id, false);
    if (b.displayName) c.displayName = String(b.displayName);
    s.touchContainer(c);
    return { id: s.containerId(c) };
  });
  route(sim, "DELETE", "users/:upn/todo-lists/:id", (s, _b, p) => {
    const c = container(s, "todoList", p.id, false);
    if (c.wellKnown === "defaultList") throw new Fail(400, "The default task list cannot be deleted.");
    s.removeContainer(c);
    return {};
  });
  route(
    sim,
    "POST",
    "users/:upn/tasks",
    (s, b) => {
      const list = container(s, "todoList", b.list, true);
      if (typeof b.body === "string") b.body = { content: b.body, contentType: "text" };
      const it = addTask(
        s,
        list,
        b,
        (b.checklistItems as Json[] | undefined) ?? [],
        (b.attachments as Array<{ name: string; contentType: string; contentBytes: string }> | undefined) ??
          [],
      );
      return taskIds(s, it);
    },
    201,
  );
  route(sim, "PATCH", "users/:upn/tasks/:id", (s, b, p) => {
    const it = item(s, "task", p.id);
    if (typeof b.body === "string") b.body = { content: b.body, contentType: "text" };
    it.props = merge(it.props, b, [
      "list",
      "checklistItems",
      "addAttachments",
      "removeAttachments",
      "attachments",
      "id",
    ]);
    if (b.body !== undefined) it.props.bodyLastModifiedDateTime = s.now();
    if (Array.isArray(b.checklistItems)) {
      // Replace semantics; an entry with the id of an existing step updates that step.
      const old = new Map((it.checklist ?? []).map((c) => [s.checklistId(c), c]));
      it.checklist = (b.checklistItems as Json[]).map((c) => {
        const prev = typeof c.id === "string" ? old.get(c.id) : undefined;
        if (!prev) return newChecklist(s, c, s.now());
        const upd: ChecklistRec = {
          ...prev,
          displayName: String(c.displayName ?? prev.displayName),
          isChecked: c.isChecked === undefined ? prev.isChecked : c.isChecked === true,
        };
        if (upd.isChecked && !prev.isChecked) upd.checkedDateTime = s.now();
        if (!upd.isChecked) delete upd.checkedDateTime;
        return upd;
      });
    }
    editAttachments(s, it, b);
    if (b.list !== undefined) s.moveItem(it, container(s, "todoList", b.list, false).key);
    else s.touch(it);
    return taskIds(s, it);
  });
  route(sim, "DELETE", "users/:upn/tasks/:id", (s, _b, p) => {
    s.removeItem(item(s, "task", p.id));
    return {};
  });

  // notes
  route(
    sim,
    "POST",
    "users/:upn/notes",
    (s, b) => {
      const props = withoutMeta(b);
      if (typeof props.body === "string") props.body = { contentType: "html", content: props.body };
      const it = s.addItem("note", 0, props, times(b));
      return { id: s.itemId(it) };
    },
    201,
  );
  route(sim, "PATCH", "users/:upn/notes/:id", (s, b, p) => {
    const it = item(s, "note", p.id);
    it.props = merge(it.props, b, ["id", "createdDateTime", "lastModifiedDateTime"]);
    if (typeof it.props.body === "string") it.props.body = { contentType: "html", content: it.props.body };
    s.touch(it);
    return { id: s.itemId(it) };
  });
  route(sim, "DELETE", "users/:upn/notes/:id", (s, _b, p) => {
    s.removeItem(item(s, "note", p.id));
    return {};
  });
}

/** `removeAttachments: [ids]`, `addAttachments: [{name, contentType, contentBytes}]` of a PATCH. */
function editAttachments(s: PimStore, it: PimItem, b: Json): void {
  if (Array.isArray(b.removeAttachments)) {
    const drop = new Set(b.removeAttachments as string[]);
    it.attachments = (it.attachments ?? []).filter((a) => !drop.has(s.attachmentId(it, a)));
  }
  if (Array.isArray(b.addAttachments)) {
    const list = it.attachments ?? [];
    it.attachments = list;
    for (const a of b.addAttachments as Json[]) list.push(newAttachment(s, it, a, s.now()));
  }
}

function taskIds(s: PimStore, it: PimItem): Json {
  return {
    id: s.itemId(it),
    checklistItemIds: (it.checklist ?? []).map((c) => s.checklistId(c)),
    attachmentIds: (it.attachments ?? []).map((a) => s.attachmentId(it, a)),
  };
}

let installed = false;

/** Hooks that must exist before a tenant is built or restored (module load time). */
function install(): void {
  if (installed) return;
  installed = true;
  Tenant.mailboxHooks.push(attachStore);
  Tenant.populateHooks.push(importSpec);
  PimStore.lazyImport = (store) => {
    const spec = store.mbx.sources.gen?.();
    if (spec) importInto(store, spec);
  };
  stateContributors.push(pimState);
}
install();

/** Graph routes (v1.0 and beta) and control-API routes of calendars, contacts, To Do and notes. */
export function registerPim(sim: Simulator): void {
  registerCalendar(sim.graph);
  registerContacts(sim.graph);
  registerTodo(sim.graph);
  registerNotes(sim.graph);
  registerControlRoutes(sim);
}
