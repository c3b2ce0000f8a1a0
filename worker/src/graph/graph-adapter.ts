import { Readable } from "node:stream";
import type { ReadableStream as NodeWebReadableStream } from "node:stream/web";
import { AuthenticationHandler, Client, ResponseType } from "@microsoft/microsoft-graph-client";
import type { Redis } from "ioredis";
import { z } from "zod";
import { failureFromNetworkError, failureFromResponse, GraphFailure } from "./errors";
import { createHttpTransport, type THttpTransport } from "./http-transport";
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
export class GraphAdapter implements GraphPort {
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
        const url = link ?? `${base}/mailFolders/delta?$select=${FOLDER_SELECT}`;
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
        if (!res.body) throw new GraphFailure(`${what}: empty body`, { kind: "transient" });
        const len = Number(res.headers.get("content-length"));
        const stream = Readable.fromWeb(res.body as NodeWebReadableStream<Uint8Array>);
        return Number.isFinite(len) && len >= 0 ? { stream, contentLength: len } : { stream };
      },
    };
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
      return await res.json();
    } catch (e) {
      // A reset while reading the body: transient, the caller's retry refetches the page.
      throw failureFromNetworkError(`${what}: reading the response`, e);
    }
  }
}

async function failureOf(what: string, res: Response): Promise<GraphFailure> {
  const text = await res.text().catch(() => "");
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
