import type { Readable } from "node:stream";

/**
 * The generator's public shapes. The simulator codes against exactly these names; fields marked
 * "addition" go beyond the agreed contract and are optional to consume.
 */

export interface GeneratedTenant {
  domain: string;
  users: GeneratedUser[];
  groups: GeneratedGroup[];
  /** Keyed by UPN. Unlicensed ordinary users have no entry: they have no Exchange mailbox. */
  mailboxes: Record<string, MailboxSpec>;
}

export interface GeneratedUser {
  userPrincipalName: string;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string;
  accountEnabled: boolean;
  licensed: boolean;
  userPurpose: "user" | "shared" | "room" | "equipment";
  jobTitle?: string;
  department?: string;
}

export interface GeneratedGroup {
  displayName: string;
  mail?: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  onPremisesDistinguishedName?: string;
  onPremisesSyncEnabled?: boolean;
  proxyAddresses: string[];
  memberUpns: string[];
  memberGroupNames: string[];
}

export interface GeneratedMessage {
  folderPath: string;
  receivedDateTime: string;
  isRead: boolean;
  /** The RFC 5322 bytes; built on each call, never cached. */
  mime(): Buffer;
  /** Addition: the same bytes as a stream (the 100 MB benchmark message never sits in memory whole). */
  stream?(): Readable;
  /**
   * Addition: what the top-level headers say, from the message's plan, without composing anything
   * (about a hundredth of the cost of `mime()`). `undefined` for public fixtures: their headers exist
   * only in the file, read `mime()`. Equal to what a parser reads from `mime()` (tests check it).
   */
  meta?(): GeneratedMessageMeta | undefined;
  /**
   * Addition: the bytes composed once, with their size known before any chunk is produced (a
   * Content-Length, a sha256 on the way). `chunks()` can be iterated once; the huge message's
   * attachment is generated while it is iterated.
   */
  content?(): GeneratedContent;
}

export interface GeneratedAddress {
  name: string;
  address: string;
}

/** Header-level facts of a generated message (see `GeneratedMessage.meta`). */
export interface GeneratedMessageMeta {
  /** Decoded `Subject`. */
  subject: string;
  from: GeneratedAddress;
  to: GeneratedAddress[];
  cc: GeneratedAddress[];
  /** `Message-ID`, with its angle brackets. */
  internetMessageId: string;
  inReplyTo?: string;
  references: string[];
  /** The `Date` header's instant, RFC 3339 UTC without fractions. */
  sentDateTime: string;
  /** `Importance: high` (with `X-Priority: 1`) or no importance header. */
  importance: "normal" | "high";
  /** A part Graph lists as an attachment that is not inline (inline cid images and calendar alternatives are not). */
  hasAttachments: boolean;
}

export interface GeneratedContent {
  size: number;
  chunks(): Iterable<Buffer>;
}

export interface MailboxSpec {
  folders: string[];
  messageCount: number;
  message(i: number): GeneratedMessage;
  events: object[];
  contactFolders: { displayName: string; contacts: object[] }[];
  todoLists: {
    displayName: string;
    wellknownListName: "none" | "defaultList" | "flaggedEmails";
    tasks: {
      task: object;
      checklistItems: object[];
      attachments: { name: string; contentType: string; contentBytes: string }[];
    }[];
  }[];
  notes: object[];
  calendarPermissions: object[];
  mailboxPermissions: {
    user: string;
    accessRights: ("FullAccess" | "ReadPermission")[];
    isInherited: boolean;
    deny: boolean;
  }[];
  recipientPermissions: { trustee: string; accessRights: "SendAs"[] }[];
}

/** Optional knobs beyond the contract. */
export interface GeneratorOptions {
  /**
   * Folder with the public MIME fixtures (index.tsv + files). Default: found beside or inside the
   * repository; `null` leaves fixtures out.
   */
  fixturesDir?: string | null;
}
