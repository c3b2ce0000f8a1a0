import { displayNameOf, PEOPLE, type PersonName, ROLES } from "./people";
import { rngFor } from "./random";
import type { GeneratedGroup, GeneratedUser } from "./types";

export const DEMO_DOMAIN = "contoso-demo.com";
/** The initial domain every tenant has; groups carry it as a secondary proxy address. */
export const INITIAL_DOMAIN = "contoso-demo.onmicrosoft.com";

export type Kind = "regular" | "disabled" | "unlicensed" | "shared" | "room" | "equipment";

/** A directory entry plus what the mailbox builders need to know about it. */
export interface TenantPerson {
  user: GeneratedUser;
  kind: Kind;
  /** Minutes east of UTC, for Date headers of mail this person sends. */
  utcOffset: number;
  hasMailbox: boolean;
}

export interface Directory {
  domain: string;
  people: TenantPerson[];
  groups: GeneratedGroup[];
}

/**
 * How many of each kind for `count` users. For 25: 20 regular, 2 disabled (leavers whose licensed
 * mailbox is kept), 1 unlicensed (no mailbox), 1 shared mailbox, 1 room.
 */
export function kindsFor(count: number): Kind[] {
  const shared = count >= 3 ? 1 : 0;
  const room = count >= 4 ? 1 : 0;
  const equipment = count >= 40 ? 1 : 0;
  const disabled = count >= 20 ? Math.max(2, Math.round(count * 0.05)) : count >= 6 ? 1 : 0;
  const unlicensed = count >= 8 ? Math.max(1, Math.round(count * 0.04)) : 0;
  const regular = count - shared - room - equipment - disabled - unlicensed;
  return [
    ...Array<Kind>(regular).fill("regular"),
    ...Array<Kind>(disabled).fill("disabled"),
    ...Array<Kind>(unlicensed).fill("unlicensed"),
    ...Array<Kind>(shared).fill("shared"),
    ...Array<Kind>(room).fill("room"),
    ...Array<Kind>(equipment).fill("equipment"),
  ];
}

/** Names for `count` people: the pool shuffled by seed, then recombined names past its end. */
function namesFor(seed: number, count: number): PersonName[] {
  const rng = rngFor(seed, "people");
  const pool = rng.shuffle(PEOPLE);
  const names: PersonName[] = [];
  const aliases = new Set<string>();
  for (let i = 0; i < count; i++) {
    let name = pool[i % pool.length]!;
    if (i >= pool.length) {
      const other = pool[(i * 7 + 3) % pool.length]!;
      name = { givenName: name.givenName, surname: other.surname, alias: "", utcOffset: name.utcOffset };
      const given = pool[i % pool.length]!.alias.split(".")[0];
      const family = other.alias.split(".").slice(1).join(".");
      name.alias = `${given}.${family}`;
    }
    let alias = name.alias;
    for (let n = 2; aliases.has(alias); n++) alias = `${name.alias}${n}`;
    aliases.add(alias);
    names.push({ ...name, alias });
  }
  return names;
}

function resourceUser(kind: "shared" | "room" | "equipment", index: number, domain: string): GeneratedUser {
  const base = {
    shared: [
      ["info", "Contoso Info"],
      ["support", "Contoso Support"],
    ],
    room: [
      ["room.harbour", "Harbour Room (12 seats)"],
      ["room.fjord", "Fjord Room (6 seats)"],
    ],
    equipment: [["projector.1", "Projector 1"]],
  }[kind];
  const [alias, displayName] = base[index % base.length]!;
  const local = index < base.length ? alias! : `${alias}${index + 1}`;
  // Shared and resource mailboxes are disabled, unlicensed accounts, as Exchange creates them
  return {
    userPrincipalName: `${local}@${domain}`,
    displayName: displayName!,
    givenName: "",
    surname: "",
    mail: `${local}@${domain}`,
    accountEnabled: false,
    licensed: false,
    userPurpose: kind,
  };
}

export function buildPeople(seed: number, count: number, domain = DEMO_DOMAIN): TenantPerson[] {
  const kinds = kindsFor(count);
  const humans = kinds.filter((k) => k === "regular" || k === "disabled" || k === "unlicensed").length;
  const names = namesFor(seed, humans);
  const resourceIndex: Record<string, number> = { shared: 0, room: 0, equipment: 0 };
  let human = 0;
  let regular = 0;
  return kinds.map((kind): TenantPerson => {
    if (kind === "shared" || kind === "room" || kind === "equipment") {
      const user = resourceUser(kind, resourceIndex[kind]!++, domain);
      return { user, kind, utcOffset: 60, hasMailbox: true };
    }
    const name = names[human++]!;
    // Leavers and contractors take the ordinary roles after the leadership slots
    const role =
      kind === "regular"
        ? ROLES[regular < ROLES.length ? regular : 6 + ((regular - 6) % (ROLES.length - 6))]!
        : ROLES[6 + ((human * 5) % (ROLES.length - 6))]!;
    if (kind === "regular") regular++;
    const upn = `${name.alias}@${domain}`;
    const user: GeneratedUser = {
      userPrincipalName: upn,
      displayName: displayNameOf(name),
      givenName: name.givenName,
      surname: name.surname,
      mail: upn,
      accountEnabled: kind !== "disabled",
      licensed: kind !== "unlicensed",
      userPurpose: "user",
      jobTitle: kind === "unlicensed" ? "Contractor" : role.jobTitle,
      department: role.department,
    };
    return { user, kind, utcOffset: name.utcOffset, hasMailbox: kind !== "unlicensed" };
  });
}

function proxies(local: string, domain: string, aliases: string[] = []): string[] {
  return [
    `SMTP:${local}@${domain}`,
    ...aliases.map((alias) => `smtp:${alias}@${domain}`),
    `smtp:${local}@${INITIAL_DOMAIN}`,
  ];
}

/**
 * One or more groups of each of the four kinds Graph distinguishes (groups-overview table), with
 * nesting (security in security, distribution in distribution) and one group synced from an
 * on-premises AD, as hybrid tenants have.
 */
export function buildGroups(people: TenantPerson[], domain = DEMO_DOMAIN): GeneratedGroup[] {
  const regular = people.filter((p) => p.kind === "regular");
  const upnsIn = (department: string) =>
    regular.filter((p) => p.user.department === department).map((p) => p.user.userPrincipalName);
  const all = regular.map((p) => p.user.userPrincipalName);
  const pick = (upns: string[], fallbackCount: number) =>
    upns.length > 0 ? upns : all.slice(0, fallbackCount);
  const sales = pick(upnsIn("Sales"), 2);
  const engineering = pick(upnsIn("Engineering"), 2);
  const finance = pick(upnsIn("Finance"), 1);
  const salesDirector = regular.find((p) => p.user.jobTitle?.startsWith("Sales Director"));
  const ceo = all[0];

  const unified = (displayName: string, local: string, memberUpns: string[]): GeneratedGroup => ({
    displayName,
    mail: `${local}@${domain}`,
    mailEnabled: true,
    securityEnabled: false,
    groupTypes: ["Unified"],
    proxyAddresses: proxies(local, domain),
    memberUpns,
    memberGroupNames: [],
  });
  const security = (
    displayName: string,
    memberUpns: string[],
    memberGroupNames: string[] = [],
  ): GeneratedGroup => ({
    displayName,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    proxyAddresses: [],
    memberUpns,
    memberGroupNames,
  });

  return [
    unified("All Company", "all-company", all),
    unified(
      "Project Phoenix",
      "project-phoenix",
      [...engineering.slice(0, 3), ...upnsIn("Marketing").slice(0, 1)].filter(Boolean),
    ),
    security("SG-Engineering", engineering),
    security("SG-Finance", finance),
    security("SG-VPN-Users", ceo ? [ceo] : [], ["SG-Engineering", "SG-Finance"]),
    {
      displayName: "Finance Approvers",
      mail: `finance-approvers@${domain}`,
      mailEnabled: true,
      securityEnabled: true,
      groupTypes: [],
      proxyAddresses: proxies("finance-approvers", domain),
      memberUpns: ceo && !finance.includes(ceo) ? [...finance, ceo] : finance,
      memberGroupNames: [],
    },
    {
      displayName: "Sales EMEA",
      mail: `sales-emea@${domain}`,
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: [],
      onPremisesSyncEnabled: true,
      onPremisesDistinguishedName: "CN=Sales EMEA,OU=Groups,DC=contoso,DC=local",
      proxyAddresses: proxies("sales-emea", domain, ["emea"]),
      memberUpns: sales.filter((upn) => upn !== salesDirector?.user.userPrincipalName),
      memberGroupNames: [],
    },
    {
      displayName: "All Sales",
      mail: `sales@${domain}`,
      mailEnabled: true,
      securityEnabled: false,
      groupTypes: [],
      proxyAddresses: proxies("sales", domain, ["vertrieb", "ventes"]),
      memberUpns: salesDirector ? [salesDirector.user.userPrincipalName] : [],
      memberGroupNames: ["Sales EMEA"],
    },
  ];
}

export function buildDirectory(seed: number, count: number): Directory {
  const people = buildPeople(seed, count);
  return { domain: DEMO_DOMAIN, people, groups: buildGroups(people) };
}
