import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { AuthenticationHandler, Client, ResponseType } from "@microsoft/microsoft-graph-client";
import type { Redis } from "ioredis";
import { z } from "zod";
import {
  type DirectoryPort,
  groupKindOf,
  type TCalendarPermission,
  type TDirectoryGroup,
} from "./directory-port";
import { failureFromNetworkError, failureFromResponse, GraphFailure } from "./errors";
import { bodyText, bufferedBody, createHttpTransport, type THttpTransport } from "./http-transport";
import {
  DEFAULT_RETRY_POLICY,
  LimitOptions,
  LimitRetryHandler,
  redact,
  type TRetryPolicy,
  TransportHandler,
} from "./middleware";
import type {
  GraphPort,
  MailboxSource,
  TCallContext,
  TDeltaPage,
  TDirectoryUser,
  TFolderChange,
  TMessageChange,
  TMessageDeltaOptions,
  TMimeDownload,
} from "./port";
import { GRAPH_MAILBOX_LIMITS, GraphRateLimiter, type TRateLimits } from "./rate-limiter";
import { AppTokenProvider } from "./token-provider";

export type TGraphAdapterOptions = {
  /** Entra authority, `https://login.microsoftonline.com/{tenantId}` (or the simulator's). */
  authority: string;
  /** Graph root without version, `https://graph.microsoft.com` (or the simulator's). */
  graphUrl: string;
  clientId: string;
  clientSecret: string;
  caFile?: string | undefined;
  caPem?: string | undefined;
  redis: Redis;
  /** Redis key prefix for the shared limiter state (tests use a unique one). */
  redisPrefix?: string;
  limits?: TRateLimits;
  retry?: TRetryPolicy;
  /** `Prefer: odata.maxpagesize` for delta and list pages. */
  pageSize?: number;
};

const MESSAGE_SELECT = [
  "id",
  "changeKey",
  "parentFolderId",
  "receivedDateTime",
  "isRead",
  "isDraft",
  "categories",
  "internetMessageId",
].join(",");
const FOLDER_SELECT = "id,displayName,parentFolderId,isHidden";
const USER_SELECT = "id,displayName,userPrincipalName,mail,accountEnabled,assignedLicenses";

const ZRemoved = z.object({ id: z.string(), "@removed": z.object({}).passthrough() });
const ZFolder = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  parentFolderId: z.string().nullish(),
  isHidden: z.boolean().nullish(),
});
const ZMessage = z.object({
  id: z.string(),
  changeKey: z.string().nullish(),
  parentFolderId: z.string().nullish(),
  receivedDateTime: z.string().nullish(),
  isRead: z.boolean().nullish(),
  isDraft: z.boolean().nullish(),
  categories: z.array(z.string()).nullish(),
  internetMessageId: z.string().nullish(),
});
const ZUser = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  userPrincipalName: z.string(),
  mail: z.string().nullish(),
  accountEnabled: z.boolean().nullish(),
  assignedLicenses: z.array(z.unknown()).nullish(),
});
const GROUP_SELECT =
  "id,displayName,mail,mailEnabled,securityEnabled,groupTypes,proxyAddresses,onPremisesDistinguishedName";
const ZGroup = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  mailEnabled: z.boolean().nullish(),
  securityEnabled: z.boolean().nullish(),
  groupTypes: z.array(z.string()).nullish(),
  proxyAddresses: z.array(z.string()).nullish(),
  onPremisesDistinguishedName: z.string().nullish(),
});
const ZCalendarPermission = z.object({
  id: z.string(),
  role: z.string().nullish(),
  emailAddress: z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish(),
  isInsideOrganization: z.boolean().nullish(),
  isRemovable: z.boolean().nullish(),
});
const ZPage = z.object({
  value: z.array(z.record(z.string(), z.unknown())),
  "@odata.nextLink": z.string().optional(),
  "@odata.deltaLink": z.string().optional(),
});

/**
 * The Graph adapter: `@azure/msal-node` client credentials + `@microsoft/microsoft-graph-client` with our
 * middleware chain (shared limiter + retries → the SDK's AuthenticationHandler → our CA-trusting fetch).
 * Configured only by authority, Graph URL and CA: Microsoft 365 and the simulator take the same path.
 */
export class GraphAdapter implements GraphPort, DirectoryPort {
  private readonly client: Client;
  private readonly transport: THttpTransport;
  private readonly limiter: GraphRateLimiter;
  private readonly appId: string;
  private readonly pageSize: number;
  private readonly prefer: string;

  constructor(opts: TGraphAdapterOptions) {
    const graph = new URL(opts.graphUrl);
    if (graph.protocol !== "https:") {
      // The SDK attaches the bearer token only to https hosts and only follows https nextLinks (§E.5).
      throw new Error(`M365_GRAPH_URL must be https: ${opts.graphUrl}`);
    }
    this.transport = createHttpTransport({ caFile: opts.caFile, caPem: opts.caPem });
    const tokens = new AppTokenProvider(
      {
        authority: opts.authority,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        graphUrl: opts.graphUrl,
      },
      this.transport,
    );
    this.limiter = new GraphRateLimiter(
      opts.redis,
      opts.redisPrefix ?? "coffer",
      opts.limits ?? GRAPH_MAILBOX_LIMITS,
    );
    this.appId = opts.clientId;
    this.pageSize = opts.pageSize ?? 200;
    this.prefer = `IdType="ImmutableId", odata.maxpagesize=${this.pageSize}`;
    const limitRetry = new LimitRetryHandler(this.limiter, tokens, opts.retry ?? DEFAULT_RETRY_POLICY);
    const auth = new AuthenticationHandler(tokens);
    const send = new TransportHandler(this.transport);
    limitRetry.setNext(auth);
    auth.setNext(send);
    this.client = Client.initWithMiddleware({
      baseUrl: graph.origin,
      defaultVersion: "v1.0",
      middleware: limitRetry,
      // The SDK compares hosts without the port.
      customHosts: new Set([graph.hostname]),
    });
  }

  /** The shared limiter (tests and the benchmark read its counters). */
  get rateLimiter(): GraphRateLimiter {
    return this.limiter;
  }

  async close(): Promise<void> {
    this.limiter.close();
    await this.transport.close();
  }

  async *listUsers(ctx: TCallContext): AsyncIterable<TDirectoryUser> {
    let link: string | undefined = `/users?$select=${USER_SELECT}&$top=999`;
    while (link) {
      const page = ZPage.parse(await this.getJson("list users", link, undefined, ctx));
      for (const raw of page.value) yield toUser(ZUser.parse(raw));
      link = page["@odata.nextLink"];
    }
  }

  async getUser(idOrUpn: string, ctx: TCallContext): Promise<TDirectoryUser | null> {
    try {
      const raw = await this.getJson(
        "get user",
        `/users/${enc(idOrUpn)}?$select=${USER_SELECT}`,
        undefined,
        ctx,
      );
      return toUser(ZUser.parse(raw));
    } catch (e) {
      if (e instanceof GraphFailure && (e.status === 404 || e.isNoMailbox)) return null;
      throw e;
    }
  }

  mailbox(mailboxId: string, ctx: TCallContext): MailboxSource {
    const key = this.limiter.keyFor(this.appId, mailboxId);
    const base = `/users/${enc(mailboxId)}`;
    return {
      mailboxId,
      folderDeltaPage: async (link) => {
        // Hidden folders hold mail too (Scheduled, Conversation History on some tenants): archive them all.
        const url = link ?? `${base}/mailFolders/delta?$select=${FOLDER_SELECT}&includeHiddenFolders=true`;
        const page = ZPage.parse(await this.getJson("folder delta", url, key, ctx));
        return toDeltaPage(page, toFolderChange);
      },
      messageDeltaPage: async (folderId: string, link?: string, opts?: TMessageDeltaOptions) => {
        let url = link;
        if (!url) {
          url = `${base}/mailFolders/${enc(folderId)}/messages/delta?$select=${MESSAGE_SELECT}`;
          if (opts?.receivedSince) {
            url += `&$filter=${encodeURIComponent(`receivedDateTime ge ${opts.receivedSince.toISOString()}`)}`;
          }
        }
        const page = ZPage.parse(await this.getJson("message delta", url, key, ctx));
        return toDeltaPage(page, toMessageChange);
      },
      openMime: async (messageId: string): Promise<TMimeDownload> => {
        const what = "get MIME";
        const res = await this.send(what, `${base}/messages/${enc(messageId)}/$value`, key, ctx);
        if (!res.ok) throw await failureOf(what, res);
        const bytes = bufferedBody(res);
        // Up to BUFFERED_BODY_LIMIT the transport read the body whole; larger ones stream.
        if (bytes) return { bytes, contentLength: bytes.length };
        if (!res.body) throw new GraphFailure(`${what}: empty body`, { kind: "transient" });
        const len = Number(res.headers.get("content-length") || Number.NaN);
        const stream = Readable.fromWeb(res.body as NodeWebReadableStream<Uint8Array>);
        return Number.isFinite(len) && len >= 0 ? { stream, contentLength: len } : { stream };
      },
    };
  }

  // ---- DirectoryPort (Exchange Tasks: group targets, calendar delegation; directory-port.ts) ----

  async searchGroups(prefix: string, ctx: TCallContext, limit = 25): Promise<TDirectoryGroup[]> {
    const filter = `startswith(displayName,${odataString(prefix)})`;
    const top = Math.min(Math.max(limit, 1), 999);
    const url = `/groups?$select=${GROUP_SELECT}&$top=${top}&$filter=${encodeURIComponent(filter)}`;
    const page = ZPage.parse(await this.getJson("search groups", url, undefined, ctx));
    return page.value.map((raw) => toGroup(ZGroup.parse(raw))).slice(0, top);
  }

  async getGroup(id: string, ctx: TCallContext): Promise<TDirectoryGroup | null> {
    try {
      const raw = await this.getJson(
        "get group",
        `/groups/${enc(id)}?$select=${GROUP_SELECT}`,
        undefined,
        ctx,
      );
      return toGroup(ZGroup.parse(raw));
    } catch (e) {
      // A malformed id is a 400 (Request_BadRequest) in Graph: as good as "no such group" for a lookup.
      if (e instanceof GraphFailure && (e.status === 404 || e.status === 400 || e.isNoMailbox)) return null;
      throw e;
    }
  }

  async findGroupsByAddress(address: string, ctx: TCallContext): Promise<TDirectoryGroup[]> {
    const found = new Map<string, TDirectoryGroup>();
    for (const filter of addressFilters(address)) {
      const url = `/groups?$select=${GROUP_SELECT}&$filter=${encodeURIComponent(filter)}`;
      for await (const raw of this.pages("find group", url, undefined, ctx)) {
        const g = toGroup(ZGroup.parse(raw));
        found.set(g.id, g);
      }
      if (found.size) break;
    }
    return [...found.values()];
  }

  async *listGroups(ctx: TCallContext): AsyncIterable<TDirectoryGroup> {
    for await (const raw of this.pages(
      "list groups",
      `/groups?$select=${GROUP_SELECT}&$top=999`,
      undefined,
      ctx,
    )) {
      yield toGroup(ZGroup.parse(raw));
    }
  }

  async *listTransitiveUserMembers(groupId: string, ctx: TCallContext): AsyncIterable<TDirectoryUser> {
    // The type cast keeps only users (no nested groups, contacts or devices): C.1.
    const url = `/groups/${enc(groupId)}/transitiveMembers/microsoft.graph.user?$select=${USER_SELECT}&$top=999`;
    for await (const raw of this.pages("list group members", url, undefined, ctx)) {
      yield toUser(ZUser.parse(raw));
    }
  }

  async findUsersByAddress(address: string, ctx: TCallContext): Promise<TDirectoryUser[]> {
    const byUpn = await this.getUser(address, ctx);
    if (byUpn) return [byUpn];
    const found = new Map<string, TDirectoryUser>();
    for (const filter of addressFilters(address)) {
      const url = `/users?$select=${USER_SELECT}&$filter=${encodeURIComponent(filter)}`;
      for await (const raw of this.pages("find user", url, undefined, ctx)) {
        const u = toUser(ZUser.parse(raw));
        found.set(u.id, u);
      }
      if (found.size) break;
    }
    return [...found.values()];
  }

  async listCalendarPermissions(userId: string, ctx: TCallContext): Promise<TCalendarPermission[]> {
    // A mailbox resource: counts against that mailbox's Outlook limits like the mail calls.
    const key = this.limiter.keyFor(this.appId, userId);
    const out: TCalendarPermission[] = [];
    const url = `/users/${enc(userId)}/calendar/calendarPermissions`;
    for await (const raw of this.pages("list calendar permissions", url, key, ctx)) {
      const p = ZCalendarPermission.parse(raw);
      out.push({
        id: p.id,
        role: p.role ?? "none",
        address: p.emailAddress?.address ?? null,
        name: p.emailAddress?.name ?? null,
        isInsideOrganization: p.isInsideOrganization ?? false,
        isRemovable: p.isRemovable ?? false,
      });
    }
    return out;
  }

  /** Follows `@odata.nextLink` and yields each raw entry. */
  private async *pages(
    what: string,
    first: string,
    key: string | undefined,
    ctx: TCallContext,
  ): AsyncIterable<Record<string, unknown>> {
    let link: string | undefined = first;
    while (link) {
      const page = ZPage.parse(await this.getJson(what, link, key, ctx));
      yield* page.value;
      link = page["@odata.nextLink"];
    }
  }

  /**
   * A GET counted against one mailbox's limits whose body the caller reads itself: calendar, contacts, tasks
   * and notes are archived as the original JSON bytes (worker/src/pim). A relative `url` goes to `version`
   * (`beta` for notes and contacts' typed phones); absolute links (nextLink/deltaLink) are replayed as they
   * are. A non-2xx answer is thrown as a classified GraphFailure.
   */
  async getMailboxRaw(
    what: string,
    url: string,
    mailboxId: string,
    ctx: TCallContext,
    version: "v1.0" | "beta" = "v1.0",
  ): Promise<Response> {
    const key = this.limiter.keyFor(this.appId, mailboxId);
    let res: Response;
    try {
      let req = this.client.api(url);
      if (!/^https:\/\//i.test(url)) req = req.version(version);
      res = (await req
        .header("Prefer", this.prefer)
        .middlewareOptions([new LimitOptions(key, ctx.stats, ctx.signal)])
        .responseType(ResponseType.RAW)
        .get()) as Response;
    } catch (e) {
      throw failureFromNetworkError(`${what} ${redact(url)}`, e);
    }
    if (!res.ok) throw await failureOf(what, res);
    return res;
  }

  private async send(
    what: string,
    url: string,
    key: string | undefined,
    ctx: TCallContext,
  ): Promise<Response> {
    try {
      return (await this.client
        .api(url)
        .header("Prefer", this.prefer)
        .middlewareOptions([new LimitOptions(key, ctx.stats, ctx.signal)])
        .responseType(ResponseType.RAW)
        .get()) as Response;
    } catch (e) {
      throw failureFromNetworkError(`${what} ${redact(url)}`, e);
    }
  }

  private async getJson(
    what: string,
    url: string,
    key: string | undefined,
    ctx: TCallContext,
  ): Promise<unknown> {
    const res = await this.send(what, url, key, ctx);
    if (!res.ok) throw await failureOf(what, res);
    try {
      return JSON.parse(await bodyText(res));
    } catch (e) {
      // A reset while reading the body: transient, the caller's retry refetches the page.
      throw failureFromNetworkError(`${what}: reading the response`, e);
    }
  }
}

async function failureOf(what: string, res: Response): Promise<GraphFailure> {
  const text = await bodyText(res).catch(() => "");
  return failureFromResponse(what, res.status, text, res.headers.get("retry-after"));
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function toUser(u: z.infer<typeof ZUser>): TDirectoryUser {
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName ?? "",
    mail: u.mail ?? null,
    accountEnabled: u.accountEnabled ?? true,
    isLicensed: (u.assignedLicenses?.length ?? 0) > 0,
  };
}

function toGroup(g: z.infer<typeof ZGroup>): TDirectoryGroup {
  return {
    id: g.id,
    displayName: g.displayName ?? "",
    mail: g.mail ?? null,
    kind: groupKindOf(g),
    proxyAddresses: g.proxyAddresses ?? [],
    onPremisesDistinguishedName: g.onPremisesDistinguishedName ?? null,
  };
}

/** An OData string literal: quotes doubled (`O'Brien` → `'O''Brien'`). */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The filters that find an object by e-mail address, cheapest first: the primary address, then any proxy
 * address (`smtp:` matches primary and aliases alike, directory comparisons ignore case). Users are first
 * tried by UPN (`/users/{upn}`). Each is a default (non-advanced) query (C.1).
 */
function addressFilters(address: string): string[] {
  const a = address.trim();
  return [`mail eq ${odataString(a)}`, `proxyAddresses/any(p:p eq ${odataString(`smtp:${a}`)})`];
}

function toDeltaPage<T>(
  page: z.infer<typeof ZPage>,
  map: (raw: Record<string, unknown>) => T,
): TDeltaPage<T> {
  const out: TDeltaPage<T> = { items: page.value.map(map) };
  if (page["@odata.nextLink"]) out.nextLink = page["@odata.nextLink"];
  if (page["@odata.deltaLink"]) out.deltaLink = page["@odata.deltaLink"];
  return out;
}

function toFolderChange(raw: Record<string, unknown>): TFolderChange {
  if ("@removed" in raw) return { kind: "removed", id: ZRemoved.parse(raw).id };
  const f = ZFolder.parse(raw);
  return {
    kind: "upsert",
    id: f.id,
    parentFolderId: f.parentFolderId ?? null,
    displayName: f.displayName ?? "",
    isHidden: f.isHidden ?? false,
  };
}

function toMessageChange(raw: Record<string, unknown>): TMessageChange {
  // Any @removed means "gone from this folder" (deleted or moved out): §A.3.
  if ("@removed" in raw) return { kind: "removed", id: ZRemoved.parse(raw).id };
  const m = ZMessage.parse(raw);
  return {
    kind: "upsert",
    id: m.id,
    changeKey: m.changeKey ?? null,
    parentFolderId: m.parentFolderId ?? null,
    receivedDateTime: m.receivedDateTime ?? null,
    isRead: m.isRead ?? null,
    isDraft: m.isDraft ?? null,
    categories: m.categories ?? [],
    internetMessageId: m.internetMessageId ?? null,
  };
}
