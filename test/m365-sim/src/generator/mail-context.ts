import type { Kind } from "./build-directory";
import { filingFolders } from "./build-folders";
import type { Fixture, FixtureSet } from "./fixtures";
import { displayNameOf, EXTERNAL_ORGS, EXTERNAL_PEOPLE, PEOPLE } from "./people";
import { rngFor } from "./random";

/** Someone who sends or receives mail in a generated mailbox. */
export interface Correspondent {
  name: string;
  address: string;
  firstName: string;
  /** Minutes east of UTC, for the Date header of what this person sends. */
  utcOffset: number;
  isInternal: boolean;
  company: string;
  title?: string;
}

export type Special =
  | { kind: "fixture"; fixture: Fixture }
  | { kind: "sanitizer" }
  | { kind: "large" }
  | { kind: "huge"; bytes: number };

/** What a mailbox's messages are built from; small and fixed, whatever the message count. */
export interface MailboxContext {
  seed: number;
  upn: string;
  kind: Kind;
  domain: string;
  company: string;
  owner: Correspondent;
  colleagues: Correspondent[];
  externals: Correspondent[];
  /** Mail-enabled groups, which show up in To/Cc like people. */
  groupAddresses: Correspondent[];
  folders: string[];
  filing: string[];
  newsletterFolder: string;
  messageCount: number;
  specials: Map<number, Special>;
  fixtureSet: FixtureSet | null;
}

export const COMPANY = "Contoso Ltd.";

/** Partner contacts: two per organisation, names drawn from the pool by seed. */
export function buildExternals(seed: number): Correspondent[] {
  const rng = rngFor(seed, "externals");
  const names = rng.shuffle(EXTERNAL_PEOPLE);
  return EXTERNAL_ORGS.flatMap((org, i) =>
    [0, 1].map((k): Correspondent => {
      const name = names[(i * 2 + k) % names.length]!;
      return {
        name: displayNameOf(name),
        address: `${name.alias}@${org.domain}`,
        firstName: name.givenName,
        utcOffset: name.utcOffset,
        isInternal: false,
        company: org.name,
        title: k === 0 ? "Account Manager" : "Purchasing",
      };
    }),
  );
}

/** Colleagues for a mailbox that has no tenant around it (the benchmark mailbox). */
export function syntheticColleagues(domain: string, exclude: string): Correspondent[] {
  return PEOPLE.slice(0, 15)
    .map(
      (name): Correspondent => ({
        name: displayNameOf(name),
        address: `${name.alias}@${domain}`,
        firstName: name.givenName,
        utcOffset: name.utcOffset,
        isInternal: true,
        company: COMPANY,
      }),
    )
    .filter((c) => c.address !== exclude);
}

function fixtureCount(messages: number): number {
  if (messages >= 100) return Math.min(5 + Math.floor(messages / 5000), 60);
  return messages >= 20 ? 2 : 0;
}

/**
 * Indices with a fixed role: public fixtures, the sanitiser test message, a few messages with
 * multi-megabyte attachments, and the huge benchmark message at index 0. Chosen once per mailbox
 * (a handful of entries, whatever the size of the mailbox).
 */
export function chooseSpecials(
  seed: number,
  upn: string,
  kind: Kind,
  messages: number,
  fixtureSet: FixtureSet | null,
  hugeBytes?: number,
): Map<number, Special> {
  const specials = new Map<number, Special>();
  if (messages === 0) return specials;
  const rng = rngFor(seed, upn, "specials");
  if (hugeBytes) specials.set(0, { kind: "huge", bytes: hugeBytes });
  const place = (special: Special) => {
    if (specials.size >= messages) return;
    let index = rng.int(0, messages - 1);
    while (specials.has(index)) index = (index + 1) % messages;
    specials.set(index, special);
  };
  if (kind === "room" || kind === "equipment") return specials;
  if (messages >= 10) place({ kind: "sanitizer" });
  if (fixtureSet)
    for (const fixture of rng.sample(fixtureSet.fixtures, fixtureCount(messages)))
      place({ kind: "fixture", fixture });
  const large = Math.min(Math.floor(messages / 500), 20);
  for (let i = 0; i < large; i++) place({ kind: "large" });
  return specials;
}

export function newsletterFolderOf(folders: readonly string[]): string {
  return folders.includes("Inbox/Newsletters") ? "Inbox/Newsletters" : "Inbox";
}

export function filingOf(folders: readonly string[]): string[] {
  return filingFolders(folders);
}
