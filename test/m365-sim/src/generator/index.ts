import type { Readable } from "node:stream";
import { buildDirectory, DEMO_DOMAIN, type TenantPerson } from "./build-directory";
import { buildMailbox } from "./build-mailbox";
import { buildAccess } from "./build-permissions";
import { defaultFixturesDir, loadFixtures } from "./fixtures";
import { MIN_HUGE_BYTES } from "./huge-message";
import { COMPANY, type Correspondent, syntheticColleagues } from "./mail-context";
import type { GeneratedTenant, GeneratedUser, GeneratorOptions, MailboxSpec } from "./types";

/**
 * Deterministic demo tenant for the Microsoft 365 simulator. See README.md in this folder.
 *
 * Same arguments, same output: byte-identical MIME and identical structures, in any process,
 * because every value is derived from (seed, upn, index) and dates from GENERATOR_EPOCH.
 */

export { GENERATOR_EPOCH } from "./dates";
export type {
  GeneratedGroup,
  GeneratedMessage,
  GeneratedTenant,
  GeneratedUser,
  GeneratorOptions,
  MailboxSpec,
} from "./types";

function requireCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${name} must be a non-negative integer`);
}

function correspondent(person: TenantPerson): Correspondent {
  const { user } = person;
  return {
    name: user.displayName,
    address: user.mail,
    firstName: user.givenName || user.displayName,
    utcOffset: person.utcOffset,
    isInternal: true,
    company: COMPANY,
    ...(user.jobTitle ? { title: user.jobTitle } : {}),
  };
}

function fixturesFrom(options: GeneratorOptions) {
  return loadFixtures(options.fixturesDir === undefined ? defaultFixturesDir() : options.fixturesDir);
}

/**
 * The demo tenant: users, groups and one mailbox per user that has one (everyone except unlicensed
 * ordinary users). Cheap: messages are planned and built only when `message(i)` is called.
 */
export function generateTenant(
  opts: { seed: number; users: number; messagesPerUser: number } & GeneratorOptions,
): GeneratedTenant {
  requireCount("users", opts.users);
  requireCount("messagesPerUser", opts.messagesPerUser);
  const { domain, people, groups } = buildDirectory(opts.seed, opts.users);
  const fixtureSet = fixturesFrom(opts);
  const access = buildAccess(opts.seed, people);
  const colleagues = people.filter((p) => p.kind === "regular" || p.kind === "disabled").map(correspondent);
  const groupAddresses = groups
    .filter((g) => g.mail && g.mailEnabled)
    .map(
      (g): Correspondent => ({
        name: g.displayName,
        address: g.mail!,
        firstName: "all",
        utcOffset: 0,
        isInternal: true,
        company: COMPANY,
      }),
    );
  const roomPerson = people.find((p) => p.kind === "room");
  const room = roomPerson ? correspondent(roomPerson) : undefined;

  const mailboxes: Record<string, MailboxSpec> = {};
  for (const person of people) {
    if (!person.hasMailbox) continue;
    mailboxes[person.user.userPrincipalName] = buildMailbox({
      seed: opts.seed,
      owner: correspondent(person),
      kind: person.kind,
      domain,
      colleagues,
      groupAddresses,
      ...(room ? { room } : {}),
      messageCount: opts.messagesPerUser,
      fixtureSet,
      access: access.get(person.user.userPrincipalName)!,
    });
  }
  return { domain, users: people.map((p) => p.user), groups, mailboxes };
}

const LARGE_MAILBOX_UPN = `archive.bench@${DEMO_DOMAIN}`;

/**
 * One big mailbox for benchmarks (100,000+ messages). Nothing is materialised: `message(i)` builds
 * only message i. With `hugeMessageBytes`, message 0 is exactly that many bytes (a ZIP attachment);
 * read it with `stream()` to keep memory flat, or `mime()` for one Buffer of that size.
 */
export function generateLargeMailbox(
  opts: { seed: number; messages: number; hugeMessageBytes?: number; upn?: string } & GeneratorOptions,
): { user: GeneratedUser; mailbox: MailboxSpec } {
  requireCount("messages", opts.messages);
  if (opts.hugeMessageBytes !== undefined) {
    requireCount("hugeMessageBytes", opts.hugeMessageBytes);
    if (opts.hugeMessageBytes < MIN_HUGE_BYTES)
      throw new RangeError(`hugeMessageBytes must be at least ${MIN_HUGE_BYTES}`);
    if (opts.messages < 1) throw new RangeError("a huge message needs messages >= 1");
  }
  const upn = opts.upn ?? LARGE_MAILBOX_UPN;
  const domain = upn.split("@")[1] ?? DEMO_DOMAIN;
  const user: GeneratedUser = {
    userPrincipalName: upn,
    displayName: "Archive Benchmark",
    givenName: "Archive",
    surname: "Benchmark",
    mail: upn,
    accountEnabled: true,
    licensed: true,
    userPurpose: "user",
    jobTitle: "Records Manager",
    department: "Operations",
  };
  const owner: Correspondent = {
    name: user.displayName,
    address: upn,
    firstName: user.givenName,
    utcOffset: 60,
    isInternal: true,
    company: COMPANY,
    title: "Records Manager",
  };
  const mailbox = buildMailbox({
    seed: opts.seed,
    owner,
    kind: "regular",
    domain,
    colleagues: syntheticColleagues(domain, upn),
    groupAddresses: [],
    messageCount: opts.messages,
    fixtureSet: fixturesFrom(opts),
    access: {
      mailboxPermissions: [],
      recipientPermissions: [],
      calendarPermissions: [
        {
          emailAddress: { name: "My Organization" },
          role: "freeBusyRead",
          allowedRoles: ["none", "freeBusyRead", "limitedRead", "read", "write"],
          isRemovable: false,
          isInsideOrganization: true,
        },
      ],
    },
    ...(opts.hugeMessageBytes ? { hugeBytes: opts.hugeMessageBytes } : {}),
  });
  return { user, mailbox };
}

/**
 * The huge benchmark message as a stream, without a mailbox around it: the same bytes as
 * `generateLargeMailbox({ seed, hugeMessageBytes, upn }).mailbox.message(0)`. Memory stays at about
 * one 1 MiB chunk whatever the size.
 */
export function largeMessageStream(opts: { seed: number; hugeMessageBytes: number; upn?: string }): Readable {
  const { mailbox } = generateLargeMailbox({ ...opts, messages: 1, fixturesDir: null });
  return mailbox.message(0).stream!();
}
