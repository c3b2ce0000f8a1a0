import { contentLine, escapeText, paramValue, type TProp } from "./text-format";

/**
 * An archived contact (Graph contact JSON; beta's typed `phones`/`postalAddresses`/`websites`, or v1.0's
 * fixed fields) as a vCard 4.0 (RFC 6350). Every phone Graph returned is kept — assistant, pager, radio,
 * further mobile numbers (beta) — which the seed's export lacked. Deterministic: same JSON, same bytes.
 *
 * Not in the vCard because Graph's contact JSON does not carry it: the photo (a separate
 * `/contacts/{id}/photo/$value` request, not archived yet) and Outlook-only fields listed in
 * docs/data-types.md.
 */

type TJson = Record<string, unknown>;

const PHONE_TYPES: Record<string, string[]> = {
  business: ["work", "voice"],
  home: ["home", "voice"],
  mobile: ["cell", "voice"],
  other: ["voice"],
  assistant: ["x-assistant", "voice"],
  homefax: ["home", "fax"],
  businessfax: ["work", "fax"],
  otherfax: ["fax"],
  pager: ["pager"],
  radio: ["x-radio", "voice"],
};
const ADR_TYPES: Record<string, string> = { home: "home", business: "work", other: "x-other" };
const EMAIL_TYPES: Record<string, string> = { personal: "home", work: "work", other: "x-other" };

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function types(list: readonly string[]): Array<[string, string]> {
  return list.length ? [["TYPE", list.length > 1 ? `"${list.join(",")}"` : (list[0] as string)]] : [];
}

/** `1984-06-04T11:59:00Z` (Graph's birthday: noon-ish UTC of the day) → `19840604`. */
function vDate(v: unknown): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(str(v));
  return m && m[1] !== "0001" ? `${m[1]}${m[2]}${m[3]}` : null;
}

function phonesOf(c: TJson): Array<{ type: string; number: string }> {
  if (Array.isArray(c.phones))
    return (c.phones as TJson[]).map((p) => ({ type: str(p.type), number: str(p.number) }));
  const out: Array<{ type: string; number: string }> = [];
  for (const n of (c.businessPhones as string[] | undefined) ?? []) out.push({ type: "business", number: n });
  for (const n of (c.homePhones as string[] | undefined) ?? []) out.push({ type: "home", number: n });
  if (c.mobilePhone) out.push({ type: "mobile", number: str(c.mobilePhone) });
  return out;
}

function addressesOf(c: TJson): TJson[] {
  if (Array.isArray(c.postalAddresses)) return c.postalAddresses as TJson[];
  const out: TJson[] = [];
  for (const [field, type] of [
    ["homeAddress", "home"],
    ["businessAddress", "business"],
    ["otherAddress", "other"],
  ] as const) {
    const a = c[field] as TJson | undefined;
    if (a && Object.values(a).some((v) => typeof v === "string" && v)) out.push({ ...a, type });
  }
  return out;
}

function websitesOf(c: TJson): TJson[] {
  if (Array.isArray(c.websites)) return c.websites as TJson[];
  return c.businessHomePage ? [{ type: "work", address: c.businessHomePage }] : [];
}

/** The vCard 4.0 text of one archived contact. */
export function renderContactVcard(c: TJson): string {
  const props: TProp[] = [
    { name: "VERSION", value: "4.0" },
    { name: "PRODID", value: "-//Coffer//Archive//EN" },
  ];
  if (str(c.id)) props.push({ name: "UID", params: [["VALUE", "text"]], value: escapeText(str(c.id)) });
  const given = str(c.givenName);
  const surname = str(c.surname);
  const fn =
    str(c.displayName) || [given, surname].filter(Boolean).join(" ") || str(c.companyName) || "(no name)";
  props.push({ name: "FN", value: escapeText(fn) });
  props.push({
    name: "N",
    value: [surname, given, str(c.middleName), str(c.title), str(c.generation)].map(escapeText).join(";"),
  });
  if (str(c.nickName)) props.push({ name: "NICKNAME", value: escapeText(str(c.nickName)) });
  if (str(c.companyName) || str(c.department))
    props.push({
      name: "ORG",
      value: [str(c.companyName), str(c.department)]
        .filter((x, i) => x || i === 0)
        .map(escapeText)
        .join(";"),
    });
  if (str(c.jobTitle)) props.push({ name: "TITLE", value: escapeText(str(c.jobTitle)) });
  if (str(c.profession)) props.push({ name: "ROLE", value: escapeText(str(c.profession)) });
  for (const e of (c.emailAddresses as TJson[] | undefined) ?? []) {
    if (!str(e.address)) continue;
    const t = EMAIL_TYPES[str(e.type).toLowerCase()];
    props.push({ name: "EMAIL", params: types(t ? [t] : []), value: str(e.address) });
  }
  for (const p of phonesOf(c)) {
    if (!p.number) continue;
    props.push({
      name: "TEL",
      params: [["VALUE", "text"], ...types(PHONE_TYPES[p.type.toLowerCase()] ?? ["voice"])],
      value: escapeText(p.number),
    });
  }
  for (const a of addressesOf(c)) {
    const t = ADR_TYPES[str(a.type).toLowerCase()];
    const value = [
      "",
      "",
      str(a.street),
      str(a.city),
      str(a.state),
      str(a.postalCode),
      str(a.countryOrRegion),
    ]
      .map(escapeText)
      .join(";");
    props.push({ name: "ADR", params: types(t ? [t] : []), value });
  }
  for (const w of websitesOf(c)) {
    if (!str(w.address)) continue;
    const t = str(w.type).toLowerCase();
    props.push({
      name: "URL",
      params: types(t === "work" || t === "home" ? [t] : []),
      value: str(w.address),
    });
  }
  for (const im of (c.imAddresses as string[] | undefined) ?? [])
    if (im) props.push({ name: "IMPP", value: im.includes(":") ? im : `sip:${im}` });
  const bday = vDate(c.birthday);
  if (bday) props.push({ name: "BDAY", value: bday });
  const anniversary = vDate(c.weddingAnniversary);
  if (anniversary) props.push({ name: "ANNIVERSARY", value: anniversary });
  const gender = str(c.gender).toLowerCase();
  if (gender === "male" || gender === "female")
    props.push({ name: "GENDER", value: gender === "male" ? "M" : "F" });
  if (str(c.spouseName))
    props.push({
      name: "RELATED",
      params: [
        ["TYPE", "spouse"],
        ["VALUE", "text"],
      ],
      value: escapeText(str(c.spouseName)),
    });
  for (const child of (c.children as string[] | undefined) ?? [])
    if (child)
      props.push({
        name: "RELATED",
        params: [
          ["TYPE", "child"],
          ["VALUE", "text"],
        ],
        value: escapeText(child),
      });
  if (str(c.assistantName)) props.push({ name: "X-ASSISTANT", value: escapeText(str(c.assistantName)) });
  if (str(c.manager)) props.push({ name: "X-MANAGER", value: escapeText(str(c.manager)) });
  if (str(c.officeLocation))
    props.push({ name: "X-OFFICE-LOCATION", value: escapeText(str(c.officeLocation)) });
  const categories = (c.categories as string[] | undefined) ?? [];
  if (categories.length) props.push({ name: "CATEGORIES", value: categories.map(escapeText).join(",") });
  if (str(c.personalNotes)) props.push({ name: "NOTE", value: escapeText(str(c.personalNotes)) });
  const rev = Date.parse(str(c.lastModifiedDateTime));
  if (!Number.isNaN(rev))
    props.push({
      name: "REV",
      value: `${new Date(rev)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "")}`,
    });
  return `BEGIN:VCARD\r\n${props.map((p) => contentLine({ ...p, params: (p.params ?? []).map(([k, v]) => [k, k === "TYPE" ? v : paramValue(v)]) })).join("")}END:VCARD\r\n`;
}
