import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { standInGenerator } from "./standin";

/**
 * The shape the simulator needs from the demo-tenant generator (test/m365-sim/src/generator/, written
 * by another engineer). Declared structurally here so the simulator builds and tests before that
 * module exists; `loadGenerator()` uses the real one as soon as its file is present.
 */
export interface GenUser {
  userPrincipalName: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  accountEnabled: boolean;
  licensed: boolean;
  userPurpose?: string;
  jobTitle?: string;
  department?: string;
}

export interface GenGroup {
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
  description?: string;
}

export interface GenMessage {
  folderPath: string;
  receivedDateTime: string | Date;
  isRead: boolean;
  mime(): Buffer;
  /** The same bytes as a stream (the generator's 100 MB benchmark message never sits in memory). */
  stream?(): Readable;
  /** Top-level header facts from the generator's plan, without composing the MIME (undefined: parse `mime()`). */
  meta?(): GenMessageMeta | undefined;
  /** The bytes composed once, their size known before the first chunk (Content-Length, sha256 on the way). */
  content?(): { size: number; chunks(): Iterable<Buffer> };
}

/** The generator's `GeneratedMessageMeta`. */
export interface GenMessageMeta {
  subject: string;
  from: { name: string; address: string };
  to: Array<{ name: string; address: string }>;
  cc: Array<{ name: string; address: string }>;
  internetMessageId: string;
  inReplyTo?: string;
  references: string[];
  /** RFC 3339 UTC. */
  sentDateTime: string;
  importance: "normal" | "high";
  hasAttachments: boolean;
}

export interface GenTodoList {
  displayName: string;
  wellknownListName?: string;
  tasks: Array<{
    task: Record<string, unknown>;
    checklistItems?: Array<Record<string, unknown>>;
    attachments?: Array<{ name: string; contentType: string; contentBytes: string }>;
  }>;
}

export interface MailboxSpec {
  folders: string[];
  messageCount: number;
  message(i: number): GenMessage;
  events?: Array<Record<string, unknown>>;
  /** The generator's shape: contacts per folder ("Contacts" is the default folder). */
  contactFolders?: Array<{ displayName: string; contacts: Array<Record<string, unknown>> }>;
  /** Older contract shape: contacts of the default folder. */
  contacts?: Array<Record<string, unknown>>;
  todoLists?: GenTodoList[];
  notes?: Array<Record<string, unknown>>;
  calendarPermissions?: Array<Record<string, unknown>>;
  mailboxPermissions?: Array<{ user: string; accessRights: string[]; isInherited?: boolean; deny?: boolean }>;
  recipientPermissions?: Array<{ trustee: string; accessRights: string[]; deny?: boolean }>;
}

export interface GeneratedTenant {
  users: GenUser[];
  groups: GenGroup[];
  mailboxes: Record<string, MailboxSpec>;
  /** Optional: the generator may name the tenant's domain. */
  domain?: string;
}

export interface TenantParams {
  seed: number;
  users: number;
  messagesPerUser: number;
}

export interface LargeMailboxParams {
  seed: number;
  messages: number;
  hugeMessageBytes?: number;
  /** The mailbox owner (messages are addressed to them). */
  upn?: string;
}

export interface Generator {
  /** "generator" when the real module was loaded, "stand-in" otherwise. */
  kind: "generator" | "stand-in";
  generateTenant(p: TenantParams): GeneratedTenant;
  generateLargeMailbox(p: LargeMailboxParams): MailboxSpec;
}

const generatorFile = fileURLToPath(new URL("./generator/index.ts", import.meta.url));

let cached: Promise<Generator> | undefined;

/**
 * The real generator if its module exists and exports both functions, else the small stand-in.
 * Tests that need the stand-in regardless (tiny, fast tenants) pass `standIn: true`.
 */
export function loadGenerator(opts: { standIn?: boolean } = {}): Promise<Generator> {
  if (opts.standIn) return Promise.resolve(standInGenerator);
  cached ??= (async (): Promise<Generator> => {
    if (!existsSync(generatorFile)) return standInGenerator;
    try {
      // A computed specifier: the module may not exist when this file is type-checked.
      const mod = (await import(/* @vite-ignore */ pathToFileURL(generatorFile).href)) as {
        generateTenant?: (p: TenantParams) => GeneratedTenant;
        generateLargeMailbox?: (p: LargeMailboxParams) => MailboxSpec | { mailbox: MailboxSpec };
      };
      const { generateTenant, generateLargeMailbox } = mod;
      if (typeof generateTenant !== "function" || typeof generateLargeMailbox !== "function")
        return standInGenerator;
      return {
        kind: "generator",
        generateTenant: (p) => generateTenant(p),
        // The generator returns `{ user, mailbox }`; the contract only needs the mailbox.
        generateLargeMailbox: (p) => {
          const r = generateLargeMailbox(p);
          return "mailbox" in r ? r.mailbox : r;
        },
      };
    } catch (err) {
      console.warn(`m365-sim: generator failed to load, using the stand-in: ${(err as Error).message}`);
      return standInGenerator;
    }
  })();
  return cached;
}
