import { EPOCH_MS, isoUtc } from "./dates";
import type { Correspondent } from "./mail-context";
import type { Rng } from "./random";

/**
 * Contacts as Graph v1.0 contact JSON: several e-mail addresses, business/home/mobile phones,
 * addresses, birthdays and categories; the default "Contacts" folder plus one more.
 */

type Json = Record<string, unknown>;

const STREETS = [
  {
    street: "Leopoldstraße 12",
    city: "München",
    state: "Bayern",
    postalCode: "80802",
    countryOrRegion: "Deutschland",
  },
  { street: "ul. Piotrkowska 104", city: "Łódź", state: "", postalCode: "90-926", countryOrRegion: "Polska" },
  { street: "Laugavegur 28", city: "Reykjavík", state: "", postalCode: "101", countryOrRegion: "Ísland" },
  {
    street: "1 Microsoft Way",
    city: "Redmond",
    state: "WA",
    postalCode: "98052",
    countryOrRegion: "United States",
  },
  {
    street: "12 rue de Rivoli",
    city: "Paris",
    state: "Île-de-France",
    postalCode: "75004",
    countryOrRegion: "France",
  },
  {
    street: "朝阳区建国路88号",
    city: "北京",
    state: "北京市",
    postalCode: "100022",
    countryOrRegion: "中国",
  },
];

function phone(rng: Rng, prefix: string): string {
  return `${prefix} ${rng.int(100, 999)} ${rng.int(1000, 9999)}`;
}

function contact(rng: Rng, person: Correspondent, category: string[]): Json {
  const [given, ...rest] = person.name.split(" ");
  const surname = rest.join(" ") || "";
  const created = EPOCH_MS - rng.int(30, 1000) * 86_400_000;
  const personal = `${(given ?? "x")
    .toLowerCase()
    .normalize("NFD")
    .replace(/[^a-z]/g, "")}${rng.int(1, 99)}@outlook.example`;
  const emails = [{ name: person.name, address: person.address }];
  if (rng.chance(0.5)) emails.push({ name: `${person.name} (privat)`, address: personal });
  if (rng.chance(0.15))
    emails.push({ name: person.name, address: `${person.address.split("@")[0]}@archive.example` });
  const hasBirthday = rng.chance(0.6);
  return {
    givenName: person.firstName || given,
    surname,
    displayName: person.name,
    fileAs: surname ? `${surname}, ${person.firstName || given}` : person.name,
    emailAddresses: emails,
    businessPhones: [phone(rng, "+49 89")],
    homePhones: rng.chance(0.4) ? [phone(rng, "+49 30")] : [],
    mobilePhone: rng.chance(0.7) ? phone(rng, "+49 170") : null,
    companyName: person.company,
    jobTitle: person.title ?? null,
    businessAddress: rng.pick(STREETS),
    homeAddress: rng.chance(0.3) ? rng.pick(STREETS) : {},
    birthday: hasBirthday
      ? `${rng.int(1960, 2000)}-${String(rng.int(1, 12)).padStart(2, "0")}-${String(rng.int(1, 28)).padStart(2, "0")}T11:59:00Z`
      : null,
    categories: category,
    personalNotes: rng.chance(0.3) ? "Met at the trade fair in Hannover. Prefers calls in the morning." : "",
    imAddresses: rng.chance(0.2) ? [`sip:${person.address}`] : [],
    createdDateTime: isoUtc(created),
    lastModifiedDateTime: isoUtc(created + rng.int(0, 20) * 86_400_000),
  };
}

const FRIENDS: readonly Correspondent[] = [
  {
    name: "Maëlle Girard",
    address: "maelle.girard@outlook.example",
    firstName: "Maëlle",
    utcOffset: 60,
    isInternal: false,
    company: "",
  },
  {
    name: "Þórunn Sigurðardóttir",
    address: "thorunn@simnet.example",
    firstName: "Þórunn",
    utcOffset: 0,
    isInternal: false,
    company: "",
  },
  {
    name: "王芳",
    address: "wang.fang@qq.example",
    firstName: "芳",
    utcOffset: 480,
    isInternal: false,
    company: "",
  },
  {
    name: "Grzegorz Brzęczyszczykiewicz",
    address: "grzegorz.b@wp.example",
    firstName: "Grzegorz",
    utcOffset: 60,
    isInternal: false,
    company: "",
  },
  {
    name: "Dr. Anna Schäfer",
    address: "praxis@dr-schaefer.example",
    firstName: "Anna",
    utcOffset: 60,
    isInternal: false,
    company: "Praxis Dr. Schäfer",
  },
];

export function buildContactFolders(
  rng: Rng,
  externals: readonly Correspondent[],
  colleagues: readonly Correspondent[],
): { displayName: string; contacts: object[] }[] {
  const business = rng.sample(externals, rng.int(6, Math.min(12, externals.length)));
  const teammates = rng.sample(colleagues, Math.min(4, colleagues.length));
  const main = [
    ...business.map((p) => contact(rng, p, rng.chance(0.5) ? ["Kunde"] : ["Business", "Red category"])),
    ...teammates.map((p) => contact(rng, p, [])),
  ];
  const friends = rng.sample(FRIENDS, rng.int(3, FRIENDS.length)).map((p) => contact(rng, p, ["Personal"]));
  return [
    { displayName: "Contacts", contacts: main },
    { displayName: rng.pick(["Family & Friends", "Privat", "Amis"]), contacts: friends },
  ];
}
