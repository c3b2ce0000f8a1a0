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
