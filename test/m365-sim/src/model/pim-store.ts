import { decodeId, encodeId, type IdFormat, ItemKind, type ItemKindCode } from "../ids";
import type { Mailbox } from "./mailbox";
import { stableUuid } from "./tenant";

/**
 * A mailbox's calendars and events, contact folders and contacts, To Do lists and tasks, and notes.
 * Like mail, every change takes the mailbox-wide sequence number (`Mailbox.bump`) and removals leave
 * tombstones, so the delta endpoints answer from the same `ChainStore` model as messages.
 *
 * Items keep their Graph properties in `props` (what a create or PATCH set, without the read-only
 * fields the views compute: ids, change keys, parent ids, timestamps).
 */

export type ContainerKind = "calendar" | "contactFolder" | "todoList";
export type ItemKindName = "event" | "contact" | "task" | "note";

export interface ContainerRec {
  key: number;
  kind: ContainerKind;
  displayName: string;
  /** Contact folders: parent folder key (0 = directly under the mailbox root, i.e. the default folder). */
  parentKey: number;
  /** `contacts` for the default contact folder, `defaultList`/`flaggedEmails` for To Do, `calendar` for the default calendar. */
  wellKnown?: string;
  version: number;
  changeSeq: number;
  props: Record<string, unknown>;
}

export interface ChecklistRec {
  key: number;
  displayName: string;
  isChecked: boolean;
  createdDateTime: string;
  checkedDateTime?: string;
}

export interface TaskAttachmentRec {
  key: number;
  name: string;
  contentType: string;
  size: number;
  sha: string;
  lastModifiedDateTime: string;
}

export interface PimItem {
  key: number;
  kind: ItemKindName;
  /** Container key (calendar, contact folder, To Do list); 0 for notes. */
  container: number;
  /** Move generation: part of REST ids of events and contacts. */
  gen: number;
  version: number;
  changeSeq: number;
  created: string;
  modified: string;
  props: Record<string, unknown>;
  /** Events: the series master of an exception. */
  masterKey?: number;
  /** Tasks: steps; tasks and events: file attachments. */
  checklist?: ChecklistRec[];
  attachments?: TaskAttachmentRec[];
}

export interface PimTomb {
  kind: ItemKindName | ContainerKind;
  key: number;
  gen: number;
  container: number;
  seq: number;
  /** Deleted series masters: their recurrence at deletion (calendarView delta reports the occurrences). */
  extra?: Record<string, unknown>;
}

export interface PimSnapshot {
  containers: ContainerRec[];
  items: PimItem[];
  tombs: PimTomb[];
}

export const CONTAINER_ID_KIND: Record<ContainerKind, ItemKindCode> = {
  calendar: ItemKind.calendar,
  contactFolder: ItemKind.contactFolder,
  todoList: ItemKind.todoList,
};

export const ITEM_ID_KIND: Record<ItemKindName, ItemKindCode> = {
  event: ItemKind.event,
  contact: ItemKind.contact,
  task: ItemKind.todoTask,
  note: ItemKind.note,
};

export class PimStore {
  readonly containers = new Map<number, ContainerRec>();
  readonly items = new Map<number, PimItem>();
  tombs: PimTomb[] = [];
  /**
   * Only the default containers so far: neither imported from the generator nor restored. A state file
   * written before this store existed restores mailboxes like that; `pimOf` then imports the generator's
   * data on first use (set by pim.ts), so an older demo tenant gains its calendars, contacts, tasks, notes.
   */
  isPristine = true;
  static lazyImport: ((store: PimStore) => void) | undefined;

  constructor(readonly mbx: Mailbox) {}

  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  // ---------- ids ----------

  containerId(c: Pick<ContainerRec, "key" | "kind">): string {
    return encodeId(
      { mailboxGuid: this.mbx.guid, kind: CONTAINER_ID_KIND[c.kind], key: c.key, gen: 0 },
      "rest",
    );
  }

  /** Events and contacts honour `Prefer: IdType`; To Do and notes ids have one form. */
  itemId(i: Pick<PimItem, "key" | "kind" | "gen">, format: IdFormat = "rest"): string {
    const f = i.kind === "event" || i.kind === "contact" ? format : "rest";
    const gen = i.kind === "event" || i.kind === "contact" ? i.gen : 0;
    return encodeId({ mailboxGuid: this.mbx.guid, kind: ITEM_ID_KIND[i.kind], key: i.key, gen }, f);
  }

  tombId(t: PimTomb, format: IdFormat = "rest"): string {
    if (t.kind === "calendar" || t.kind === "contactFolder" || t.kind === "todoList")
      return this.containerId({ key: t.key, kind: t.kind });
    return this.itemId({ key: t.key, kind: t.kind, gen: t.gen }, format);
  }

  /** Occurrence ids embed the master and the occurrence day (days since 1970). */
  occurrenceId(master: PimItem, day: number, format: IdFormat = "rest"): string {
    const gen = master.gen;
    return encodeId(
      { mailboxGuid: this.mbx.guid, kind: ItemKind.event, key: master.key, gen, sub: day },
      format,
    );
  }

  checklistId(c: ChecklistRec): string {
    return stableUuid("checklist", this.mbx.guid, c.key);
  }

  /** File attachments of tasks and events: the item key plus the attachment's per-item number. */
  attachmentId(item: PimItem, a: TaskAttachmentRec): string {
    const kind = item.kind === "event" ? ItemKind.attachment : ItemKind.taskAttachment;
    return encodeId({ mailboxGuid: this.mbx.guid, kind, key: item.key, gen: 0, sub: a.key }, "rest");
  }

  findContainer(kind: ContainerKind, idOrName: string): ContainerRec | undefined {
    const d = decodeId(idOrName);
    if (d && d.mailboxGuid === this.mbx.guid && d.kind === CONTAINER_ID_KIND[kind]) {
      const c = this.containers.get(d.key);
      return c?.kind === kind ? c : undefined;
    }
    const lower = idOrName.toLowerCase();
    for (const c of this.containers.values())
      if (c.kind === kind && c.wellKnown?.toLowerCase() === lower) return c;
    return undefined;
  }

  containerByName(kind: ContainerKind, name: string): ContainerRec | undefined {
    const lower = name.toLowerCase();
    for (const c of this.containers.values())
      if (c.kind === kind && c.displayName.toLowerCase() === lower) return c;
    return undefined;
  }

  defaultContainer(kind: ContainerKind): ContainerRec {
    const wk = kind === "calendar" ? "calendar" : kind === "contactFolder" ? "contacts" : "defaultList";
    for (const c of this.containers.values()) if (c.kind === kind && c.wellKnown === wk) return c;
    throw new Error(`mailbox ${this.mbx.guid} has no default ${kind}`);
  }

  /** Resolves an item id in any format; a stale REST id (from before a move) does not resolve. */
  findItem(kind: ItemKindName, id: string): PimItem | undefined {
    const d = decodeId(id);
    if (!d || d.mailboxGuid !== this.mbx.guid || d.kind !== ITEM_ID_KIND[kind] || d.sub !== undefined)
      return undefined;
    const it = this.items.get(d.key);
    if (!it || it.kind !== kind) return undefined;
    if (d.gen !== undefined && (kind === "event" || kind === "contact") && d.gen !== it.gen) return undefined;
    return it;
  }

  itemsOf(kind: ItemKindName, container?: number): PimItem[] {
    const out: PimItem[] = [];
    for (const i of this.items.values())
      if (i.kind === kind && (container === undefined || i.container === container)) out.push(i);
    return out;
  }

  // ---------- mutations ----------

  addContainer(
    kind: ContainerKind,
    displayName: string,
    opts: { parentKey?: number; wellKnown?: string; props?: Record<string, unknown> } = {},
  ): ContainerRec {
    const c: ContainerRec = {
      key: this.mbx.nextKey++,
      kind,
      displayName,
      parentKey: opts.parentKey ?? 0,
      version: 1,
      changeSeq: this.mbx.bump(),
      props: opts.props ?? {},
    };
    if (opts.wellKnown) c.wellKnown = opts.wellKnown;
    this.containers.set(c.key, c);
    return c;
  }

  touchContainer(c: ContainerRec): void {
    c.version += 1;
    c.changeSeq = this.mbx.bump();
  }

  /** Deletes a container, its sub-containers (contact folders) and their items. */
  removeContainer(c: ContainerRec): void {
    for (const child of [...this.containers.values()])
      if (child.kind === c.kind && child.parentKey === c.key && child.key !== c.key)
        this.removeContainer(child);
    for (const i of [...this.items.values()])
      if (i.container === c.key && i.kind !== "note") this.removeItem(i);
    this.containers.delete(c.key);
    this.tombs.push({ kind: c.kind, key: c.key, gen: 0, container: c.parentKey, seq: this.mbx.bump() });
  }

  addItem(
    kind: ItemKindName,
    container: number,
    props: Record<string, unknown>,
    times: { created?: string; modified?: string } = {},
  ): PimItem {
    const now = this.now();
    const i: PimItem = {
      key: this.mbx.nextKey++,
      kind,
      container,
      gen: 0,
      version: 1,
      changeSeq: this.mbx.bump(),
      created: times.created ?? now,
      modified: times.modified ?? times.created ?? now,
      props,
    };
    this.items.set(i.key, i);
    return i;
  }

  /** A change the user made: new change key, new delta sequence, lastModifiedDateTime now. */
  touch(i: PimItem, modified = this.now()): void {
    i.version += 1;
    i.changeSeq = this.mbx.bump();
    i.modified = modified;
    // An exception lives inside its master in the store: changing it changes the master.
    if (i.masterKey !== undefined) {
      const m = this.items.get(i.masterKey);
      if (m) this.touch(m, modified);
    }
  }

  moveItem(i: PimItem, container: number): void {
    if (i.container === container) return;
    this.tombs.push({ kind: i.kind, key: i.key, gen: i.gen, container: i.container, seq: this.mbx.bump() });
    i.container = container;
    if (i.kind === "event" || i.kind === "contact") i.gen += 1;
    this.touch(i);
  }

  removeItem(i: PimItem): void {
    if (!this.items.has(i.key)) return;
    // A master takes its exceptions with it.
    for (const x of [...this.items.values()]) if (x.masterKey === i.key) this.removeItem(x);
    this.items.delete(i.key);
    const tomb: PimTomb = {
      kind: i.kind,
      key: i.key,
      gen: i.gen,
      container: i.container,
      seq: this.mbx.bump(),
    };
    if (i.kind === "event" && i.props.recurrence) {
      tomb.extra = { recurrence: i.props.recurrence, start: i.props.start, end: i.props.end };
    }
    if (i.masterKey !== undefined) {
      tomb.extra = { ...tomb.extra, masterKey: i.masterKey };
      const m = this.items.get(i.masterKey);
      if (m) this.touch(m);
    }
    this.tombs.push(tomb);
  }

  exceptionsOf(master: PimItem): PimItem[] {
    const out: PimItem[] = [];
    for (const i of this.items.values()) if (i.masterKey === master.key) out.push(i);
    return out.sort((a, b) => String(a.props.originalStart).localeCompare(String(b.props.originalStart)));
  }

  // ---------- persistence ----------

  snapshot(): PimSnapshot {
    return { containers: [...this.containers.values()], items: [...this.items.values()], tombs: this.tombs };
  }

  restore(v: unknown): void {
    this.isPristine = false;
    const s = v as PimSnapshot;
    this.containers.clear();
    this.items.clear();
    for (const c of s.containers ?? []) this.containers.set(c.key, c);
    for (const i of s.items ?? []) this.items.set(i.key, i);
    this.tombs = s.tombs ?? [];
  }
}

export const PIM_STORE_KEY = "pim";

/** The store of a mailbox (attached by the mailbox hook in pim.ts). */
export function pimOf(mbx: Mailbox): PimStore {
  const s = mbx.stores.get(PIM_STORE_KEY);
  if (!(s instanceof PimStore)) throw new Error(`mailbox ${mbx.guid} has no PIM store`);
  if (s.isPristine) {
    s.isPristine = false;
    PimStore.lazyImport?.(s);
  }
  return s;
}
