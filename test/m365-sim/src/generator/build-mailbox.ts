import { buildContactFolders } from "./build-contacts";
import type { Kind } from "./build-directory";
import { buildEvents } from "./build-events";
import { buildFolders } from "./build-folders";
import { buildMessage } from "./build-message";
import type { Access } from "./build-permissions";
import { buildNotes, buildTodoLists } from "./build-todo";
import type { FixtureSet } from "./fixtures";
import {
  buildExternals,
  COMPANY,
  type Correspondent,
  chooseSpecials,
  filingOf,
  type MailboxContext,
  newsletterFolderOf,
} from "./mail-context";
import { rngFor } from "./random";
import type { MailboxSpec } from "./types";

export interface MailboxInput {
  seed: number;
  owner: Correspondent;
  kind: Kind;
  domain: string;
  colleagues: Correspondent[];
  groupAddresses: Correspondent[];
  room?: Correspondent;
  messageCount: number;
  fixtureSet: FixtureSet | null;
  access: Access;
  hugeBytes?: number;
}

const contexts = new WeakMap<MailboxSpec, MailboxContext>();

/** For tests: the context a mailbox's messages are planned from. */
export function mailboxContextOf(mailbox: MailboxSpec): MailboxContext {
  const ctx = contexts.get(mailbox);
  if (!ctx) throw new Error("not a generated mailbox");
  return ctx;
}

/**
 * One mailbox. Folders, calendar, contacts, To Do, notes and permissions are small and built now;
 * messages are built one at a time by `message(i)`.
 */
export function buildMailbox(input: MailboxInput): MailboxSpec {
  const { seed, owner, kind } = input;
  const upn = owner.address;
  const folders = buildFolders(rngFor(seed, upn, "folders"), kind);
  const externals = buildExternals(seed);
  const ctx: MailboxContext = {
    seed,
    upn,
    kind,
    domain: input.domain,
    company: COMPANY,
    owner,
    colleagues: input.colleagues.filter((c) => c.address !== upn),
    externals,
    groupAddresses: input.groupAddresses,
    folders,
    filing: filingOf(folders),
    newsletterFolder: newsletterFolderOf(folders),
    messageCount: input.messageCount,
    specials: chooseSpecials(seed, upn, kind, input.messageCount, input.fixtureSet, input.hugeBytes),
    fixtureSet: input.fixtureSet,
  };
  const isResource = kind === "room" || kind === "equipment";
  const isPerson = kind === "regular" || kind === "disabled";
  const mailbox: MailboxSpec = {
    folders,
    messageCount: input.messageCount,
    message: (i: number) => buildMessage(ctx, i),
    events: buildEvents(
      {
        owner,
        colleagues: ctx.colleagues,
        externals,
        ...(input.room && !isResource ? { room: input.room } : {}),
        isResource,
      },
      rngFor(seed, upn, "events"),
    ),
    contactFolders: isResource
      ? [{ displayName: "Contacts", contacts: [] }]
      : buildContactFolders(rngFor(seed, upn, "contacts"), externals, ctx.colleagues),
    todoLists: isPerson
      ? buildTodoLists(rngFor(seed, upn, "todo"), [seed, upn])
      : [{ displayName: "Tasks", wellknownListName: "defaultList", tasks: [] }],
    notes: isPerson ? buildNotes(rngFor(seed, upn, "notes")) : [],
    calendarPermissions: input.access.calendarPermissions,
    mailboxPermissions: input.access.mailboxPermissions,
    recipientPermissions: input.access.recipientPermissions,
  };
  contexts.set(mailbox, ctx);
  return mailbox;
}
