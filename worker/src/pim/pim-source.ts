import { bodyBytes } from "../graph/http-transport";
import type { TCallContext } from "../graph/port";

/**
 * The Graph calls of the calendar, contacts, tasks and notes sync, over the shared adapter's
 * `getMailboxRaw` (same MSAL token, same Redis rate limiter and retries as mail, counted against the
 * mailbox's Outlook limits). Items are fetched with one canonical GET each and archived as the exact bytes
 * Graph returned; the simulator's state reports the sha256 of exactly these requests.
 */

export const PIM_TYPES = ["calendar", "contacts", "tasks", "notes"] as const;
export type TPimType = (typeof PIM_TYPES)[number];

/** What `GraphAdapter.getMailboxRaw` offers (kept narrow so tests can see what the sync needs). */
export interface PimGraph {
  getMailboxRaw(
    what: string,
    url: string,
    mailboxId: string,
    ctx: TCallContext,
    version?: "v1.0" | "beta",
  ): Promise<Response>;
}

export function isPimGraph(g: unknown): g is PimGraph {
  return typeof (g as Partial<PimGraph> | null)?.getMailboxRaw === "function";
}

/** A calendar, contact folder, task list, or the notes folder. */
export type TContainer = {
  id: string;
  parentId: string | null;
  displayName: string;
  wellKnownName: string | null;
};

export type TItemChange =
  | { kind: "upsert"; id: string; etag: string | null }
  | { kind: "removed"; id: string };
export type TItemPage = { items: TItemChange[]; nextLink?: string; deltaLink?: string };

export type TFetchedItem = { bytes: Buffer; json: Record<string, unknown> };

export type TAttachmentMeta = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  lastModifiedDateTime: string | null;
};

/** The notes folder has no id in Graph's notes API: one synthetic container. */
export const NOTES_CONTAINER = "notes";

type TJson = Record<string, unknown>;

export class PimSource {
  private readonly base: string;

  constructor(
    private readonly graph: PimGraph,
    readonly mailboxId: string,
    private readonly ctx: TCallContext,
  ) {
    this.base = `/users/${encodeURIComponent(mailboxId)}`;
  }

  private async get(what: string, url: string, version: "v1.0" | "beta" = "v1.0"): Promise<TFetchedItem> {
    const res = await this.graph.getMailboxRaw(what, url, this.mailboxId, this.ctx, version);
    const bytes = await bodyBytes(res);
    return { bytes, json: JSON.parse(bytes.toString("utf8")) as TJson };
  }

  private async *pages(what: string, url: string, version: "v1.0" | "beta" = "v1.0"): AsyncIterable<TJson> {
    let link: string | undefined = url;
    while (link) {
      const { json } = await this.get(what, link, version);
      for (const v of (json.value as TJson[] | undefined) ?? []) yield v;
      link = json["@odata.nextLink"] as string | undefined;
    }
  }

  async listContainers(type: TPimType): Promise<TContainer[]> {
    const out: TContainer[] = [];
    if (type === "notes")
      return [{ id: NOTES_CONTAINER, parentId: null, displayName: "Notes", wellKnownName: "notes" }];
    if (type === "calendar") {
      for await (const c of this.pages(
        "list calendars",
        `${this.base}/calendars?$select=id,name,isDefaultCalendar&$top=100`,
      ))
        out.push({
          id: String(c.id),
          parentId: null,
          displayName: String(c.name ?? ""),
          wellKnownName: c.isDefaultCalendar ? "calendar" : null,
        });
      return out;
    }
    if (type === "tasks") {
      for await (const l of this.pages("list task lists", `${this.base}/todo/lists?$top=100`)) {
        const wk =
          typeof l.wellknownListName === "string" && l.wellknownListName !== "none"
            ? l.wellknownListName
            : null;
        out.push({
          id: String(l.id),
          parentId: null,
          displayName: String(l.displayName ?? ""),
          wellKnownName: wk,
        });
      }
      return out;
    }
    // Contacts: the default folder (well-known id `contacts`) and, flat, every folder under it (one full
    // folder delta round: a handful of folders, no token worth keeping).
    const def = (
      await this.get(
        "get default contact folder",
        `${this.base}/contactFolders/contacts?$select=id,displayName`,
      )
    ).json;
    out.push({
      id: String(def.id),
      parentId: null,
      displayName: String(def.displayName ?? "Contacts"),
      wellKnownName: "contacts",
    });
    for await (const f of this.pages(
      "contact folder delta",
      `${this.base}/contactFolders/delta?$select=id,displayName,parentFolderId`,
    )) {
      if ("@removed" in f) continue;
      out.push({
        id: String(f.id),
        parentId: typeof f.parentFolderId === "string" ? f.parentFolderId : null,
        displayName: String(f.displayName ?? ""),
        wellKnownName: null,
      });
    }
    return out;
  }

  /** One page of a container's item delta; without a link, a new round from nothing. */
  async itemDeltaPage(type: TPimType, containerId: string, link?: string): Promise<TItemPage> {
    const c = encodeURIComponent(containerId);
    let url = link;
    let version: "v1.0" | "beta" = "v1.0";
    if (!url) {
      if (type === "calendar") {
        // Beta per-calendar delta: singles and series masters only (id, type, start, end); B.1.
        url = `${this.base}/calendars/${c}/events/delta`;
        version = "beta";
      } else if (type === "contacts") url = `${this.base}/contactFolders/${c}/contacts/delta?$select=id`;
      else if (type === "tasks") url = `${this.base}/todo/lists/${c}/tasks/delta`;
      else {
        url = `${this.base}/notes/delta?$select=id`;
        version = "beta";
      }
    }
    const { json } = await this.get(`${type} delta`, url, version);
    const page: TItemPage = {
      items: ((json.value as TJson[] | undefined) ?? []).map((v) =>
        "@removed" in v
          ? { kind: "removed" as const, id: String(v.id) }
          : {
              kind: "upsert" as const,
              id: String(v.id),
              etag: typeof v["@odata.etag"] === "string" ? v["@odata.etag"] : null,
            },
      ),
    };
    if (typeof json["@odata.nextLink"] === "string") page.nextLink = json["@odata.nextLink"];
    if (typeof json["@odata.deltaLink"] === "string") page.deltaLink = json["@odata.deltaLink"];
    return page;
  }

  /** The canonical GET of one item: its bytes are what is archived. */
  fetchItem(type: TPimType, containerId: string, id: string): Promise<TFetchedItem> {
    const i = encodeURIComponent(id);
    if (type === "calendar")
      return this.get("get event", `${this.base}/events/${i}?$expand=exceptionOccurrences`);
    if (type === "contacts") return this.get("get contact", `${this.base}/contacts/${i}`, "beta");
    if (type === "notes") return this.get("get note", `${this.base}/notes/${i}`, "beta");
    const l = encodeURIComponent(containerId);
    return this.get("get task", `${this.base}/todo/lists/${l}/tasks/${i}?$expand=checklistItems`);
  }

  private attachmentsBase(type: TPimType, containerId: string, id: string): string {
    const i = encodeURIComponent(id);
    if (type === "calendar") return `${this.base}/events/${i}/attachments`;
    return `${this.base}/todo/lists/${encodeURIComponent(containerId)}/tasks/${i}/attachments`;
  }

  /** File attachments of an event or a task (metadata only; the bytes come from `attachmentBytes`). */
  async listAttachments(
    type: "calendar" | "tasks",
    containerId: string,
    id: string,
  ): Promise<TAttachmentMeta[]> {
    const out: TAttachmentMeta[] = [];
    const url = `${this.attachmentsBase(type, containerId, id)}?$select=id,name,contentType,size,lastModifiedDateTime`;
    for await (const a of this.pages(`list ${type} attachments`, url)) {
      // Item and reference attachments of events have no bytes of their own ($value is for files).
      if (
        typeof a["@odata.type"] === "string" &&
        !/(fileAttachment|taskFileAttachment)$/.test(a["@odata.type"])
      )
        continue;
      out.push({
        id: String(a.id),
        name: String(a.name ?? ""),
        contentType: String(a.contentType ?? "application/octet-stream"),
        size: Number(a.size ?? 0),
        lastModifiedDateTime: typeof a.lastModifiedDateTime === "string" ? a.lastModifiedDateTime : null,
      });
    }
    return out;
  }

  async attachmentBytes(
    type: "calendar" | "tasks",
    containerId: string,
    id: string,
    attachmentId: string,
  ): Promise<Buffer> {
    const url = `${this.attachmentsBase(type, containerId, id)}/${encodeURIComponent(attachmentId)}/$value`;
    const res = await this.graph.getMailboxRaw(`get ${type} attachment`, url, this.mailboxId, this.ctx);
    return bodyBytes(res);
  }
}
