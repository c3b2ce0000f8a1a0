import type { Readable } from "node:stream";
import type { TRequestStats } from "./middleware";

/**
 * The narrow port between the sync engine and Microsoft Graph: only the operations mail archiving needs.
 * The sync depends on this interface alone; `graph-adapter.ts` implements it with MSAL + the Graph SDK
 * (against Microsoft 365 or the simulator: same code, different URLs).
 *
 * Every failure is a `GraphFailure` (errors.ts) already classified transient / permanent / skip.
 */

/** A directory user, as much as choosing mailboxes to archive needs. */
export type TDirectoryUser = {
  /** Entra object id: the stable key (a UPN can be renamed). */
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  accountEnabled: boolean;
  /** Has at least one assigned license (a mailbox needs an Exchange license). */
  isLicensed: boolean;
};

/** One entry of a folder hierarchy delta page. */
export type TFolderChange =
  | {
      kind: "upsert";
      id: string;
      parentFolderId: string | null;
      displayName: string;
      isHidden: boolean;
    }
  | { kind: "removed"; id: string };

/** One entry of a message delta page (the `$select`ed fields only). */
export type TMessageChange =
  | {
      kind: "upsert";
      id: string;
      changeKey: string | null;
      parentFolderId: string | null;
      receivedDateTime: string | null;
      isRead: boolean | null;
      isDraft: boolean | null;
      categories: string[];
      internetMessageId: string | null;
    }
  | { kind: "removed"; id: string };

/**
 * A delta page: `nextLink` while the round goes on, `deltaLink` on its last page. Both are opaque
 * absolute URLs to replay as they are (all query options are encoded in them).
 */
export type TDeltaPage<T> = { items: T[]; nextLink?: string; deltaLink?: string };

export type TMimeDownload =
  /** The whole message, when it was small enough to arrive in one piece. */
  | { bytes: Buffer; stream?: undefined; contentLength: number }
  /** The original bytes, streamed (never buffered whole); the length from Content-Length when Graph sends one. */
  | { stream: Readable; bytes?: undefined; contentLength?: number };

export type TMessageDeltaOptions = {
  /** Start a round limited to messages received at or after this time (the 'recent' phase). */
  receivedSince?: Date;
};

/** The operations on one mailbox; each call counts against that mailbox's limits. */
export interface MailboxSource {
  /** The mailbox's Entra object id. */
  readonly mailboxId: string;
  /** Next page of the folder hierarchy delta; without a link, starts a full enumeration. */
  folderDeltaPage(link?: string): Promise<TDeltaPage<TFolderChange>>;
  /** Next page of one folder's message delta; without a link, starts a new round (full or filtered). */
  messageDeltaPage(
    folderId: string,
    link?: string,
    opts?: TMessageDeltaOptions,
  ): Promise<TDeltaPage<TMessageChange>>;
  /** The message as MIME (`/$value`). The caller must consume or destroy the stream. */
  openMime(messageId: string): Promise<TMimeDownload>;
}

export type TCallContext = {
  /** Where requests and throttling are counted. */
  stats: TRequestStats;
  signal?: AbortSignal;
};

export interface GraphPort {
  /** Every user of the tenant (enabled or not; the caller filters), following nextLinks. */
  listUsers(ctx: TCallContext): AsyncIterable<TDirectoryUser>;
  /** One user by object id or UPN; null if there is no such user. */
  getUser(idOrUpn: string, ctx: TCallContext): Promise<TDirectoryUser | null>;
  mailbox(mailboxId: string, ctx: TCallContext): MailboxSource;
  close(): Promise<void>;
}
