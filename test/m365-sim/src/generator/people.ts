/**
 * Name and organisation pools. International on purpose: the portal, the archive search and the
 * MIME header encoders all have to cope with non-ASCII names. `alias` is the ASCII local part
 * Exchange would assign (transliterated), since UPNs stay ASCII in practice.
 */
export interface PersonName {
  givenName: string;
  surname: string;
  /** Display name when it is not "given surname" (East Asian order, for example). */
  displayName?: string;
  alias: string;
  /** Minutes east of UTC for the Date header of mail this person sends. */
  utcOffset: number;
}

export const PEOPLE: readonly PersonName[] = [
  { givenName: "Zoë", surname: "Harper", alias: "zoe.harper", utcOffset: 0 },
  { givenName: "Jürgen", surname: "Müller", alias: "juergen.mueller", utcOffset: 60 },
  { givenName: "雷", surname: "李", displayName: "李雷", alias: "lei.li", utcOffset: 480 },
  { givenName: "Łukasz", surname: "Nowak", alias: "lukasz.nowak", utcOffset: 60 },
  { givenName: "Ólafur", surname: "Jónsson", alias: "olafur.jonsson", utcOffset: 0 },
  { givenName: "Amélie", surname: "Dubois", alias: "amelie.dubois", utcOffset: 60 },
  { givenName: "Søren", surname: "Lindqvist", alias: "soren.lindqvist", utcOffset: 60 },
  { givenName: "José", surname: "García", alias: "jose.garcia", utcOffset: 60 },
  { givenName: "Aisha", surname: "Khan", alias: "aisha.khan", utcOffset: 0 },
  { givenName: "Priya", surname: "Raman", alias: "priya.raman", utcOffset: 330 },
  { givenName: "Kenji", surname: "Watanabe", alias: "kenji.watanabe", utcOffset: 540 },
  { givenName: "Siobhán", surname: "O'Connor", alias: "siobhan.oconnor", utcOffset: 0 },
  { givenName: "Björn", surname: "Andersson", alias: "bjorn.andersson", utcOffset: 60 },
  { givenName: "Lan", surname: "Nguyễn", displayName: "Nguyễn Thị Lan", alias: "lan.nguyen", utcOffset: 420 },
  { givenName: "Mateus", surname: "Oliveira", alias: "mateus.oliveira", utcOffset: -180 },
  { givenName: "Ольга", surname: "Петрова", alias: "olga.petrova", utcOffset: 180 },
  { givenName: "Ahmed", surname: "Hassan", alias: "ahmed.hassan", utcOffset: 120 },
  { givenName: "Hannah", surname: "Schmidt", alias: "hannah.schmidt", utcOffset: 60 },
  { givenName: "Lucas", surname: "Rossi", alias: "lucas.rossi", utcOffset: 60 },
  { givenName: "Emma", surname: "Johansson", alias: "emma.johansson", utcOffset: 60 },
  { givenName: "Noah", surname: "Williams", alias: "noah.williams", utcOffset: -300 },
  { givenName: "Mia", surname: "Fischer", alias: "mia.fischer", utcOffset: 60 },
  { givenName: "Liam", surname: "O'Brien", alias: "liam.obrien", utcOffset: 0 },
  { givenName: "Isabella", surname: "Costa", alias: "isabella.costa", utcOffset: 0 },
  { givenName: "由紀", surname: "田中", displayName: "田中由紀", alias: "yuki.tanaka", utcOffset: 540 },
  { givenName: "Camille", surname: "Laurent", alias: "camille.laurent", utcOffset: 60 },
  { givenName: "Mohammed", surname: "Al-Farsi", alias: "mohammed.alfarsi", utcOffset: 240 },
  { givenName: "Elif", surname: "Yılmaz", alias: "elif.yilmaz", utcOffset: 180 },
  { givenName: "Ana", surname: "Kovačević", alias: "ana.kovacevic", utcOffset: 60 },
  { givenName: "Grace", surname: "Chen", alias: "grace.chen", utcOffset: -480 },
  { givenName: "Daniel", surname: "Okafor", alias: "daniel.okafor", utcOffset: 60 },
  { givenName: "Sofia", surname: "Bianchi", alias: "sofia.bianchi", utcOffset: 60 },
  { givenName: "Matthias", surname: "Größ", alias: "matthias.gross", utcOffset: 60 },
  { givenName: "Chloé", surname: "Martin", alias: "chloe.martin", utcOffset: 60 },
  { givenName: "Ravi", surname: "Patel", alias: "ravi.patel", utcOffset: 330 },
  { givenName: "Ingrid", surname: "Halvorsen", alias: "ingrid.halvorsen", utcOffset: 60 },
  { givenName: "Tomás", surname: "Ó Briain", alias: "tomas.obriain", utcOffset: 0 },
  { givenName: "Fatima", surname: "El Amrani", alias: "fatima.elamrani", utcOffset: 60 },
  { givenName: "Oliver", surname: "Brown", alias: "oliver.brown", utcOffset: 0 },
  { givenName: "Marta", surname: "Wiśniewska", alias: "marta.wisniewska", utcOffset: 60 },
];

/** People at partner organisations: a separate pool, so no one is both a colleague and a customer. */
export const EXTERNAL_PEOPLE: readonly PersonName[] = [
  { givenName: "Kai", surname: "Nakamura", alias: "kai.nakamura", utcOffset: -480 },
  { givenName: "Henrik", surname: "Nilsson", alias: "henrik.nilsson", utcOffset: 60 },
  { givenName: "Beatriz", surname: "Santos", alias: "beatriz.santos", utcOffset: 0 },
  { givenName: "Дмитрий", surname: "Волков", alias: "d.volkov", utcOffset: 180 },
  { givenName: "静", surname: "陈", displayName: "陈静", alias: "chen.jing", utcOffset: 480 },
  { givenName: "Pieter", surname: "de Vries", alias: "p.devries", utcOffset: 60 },
  { givenName: "Agnieszka", surname: "Zielińska", alias: "a.zielinska", utcOffset: 60 },
  { givenName: "Rafael", surname: "Mendes", alias: "rafael.mendes", utcOffset: -180 },
  { givenName: "Sanna", surname: "Virtanen", alias: "sanna.virtanen", utcOffset: 120 },
  { givenName: "博", surname: "佐藤", displayName: "佐藤博", alias: "h.sato", utcOffset: 540 },
  { givenName: "Laura", surname: "Conti", alias: "laura.conti", utcOffset: 60 },
  { givenName: "Mehmet", surname: "Demir", alias: "mehmet.demir", utcOffset: 180 },
  { givenName: "Claire", surname: "Fontaine", alias: "c.fontaine", utcOffset: 60 },
  { givenName: "Óscar", surname: "Ruiz", alias: "oscar.ruiz", utcOffset: 60 },
  { givenName: "Yasmin", surname: "Haddad", alias: "yasmin.haddad", utcOffset: 240 },
  { givenName: "Thomas", surname: "Berger", alias: "t.berger", utcOffset: 60 },
  { givenName: "Nadia", surname: "Rahman", alias: "nadia.rahman", utcOffset: 360 },
  { givenName: "Erik", surname: "Johansen", alias: "erik.johansen", utcOffset: 60 },
];

export function displayNameOf(person: PersonName): string {
  return person.displayName ?? `${person.givenName} ${person.surname}`;
}

/** Roles filled in order for regular users: who reports to whom matters for delegates. */
export const ROLES: readonly { department: string; jobTitle: string }[] = [
  { department: "Executive", jobTitle: "Chief Executive Officer" },
  { department: "Executive", jobTitle: "Executive Assistant" },
  { department: "IT", jobTitle: "IT Administrator" },
  { department: "Sales", jobTitle: "Sales Director EMEA" },
  { department: "Engineering", jobTitle: "VP Engineering" },
  { department: "Finance", jobTitle: "Chief Financial Officer" },
  { department: "Sales", jobTitle: "Account Executive" },
  { department: "Engineering", jobTitle: "Senior Software Engineer" },
  { department: "Marketing", jobTitle: "Marketing Manager" },
  { department: "Sales", jobTitle: "Account Executive" },
  { department: "Engineering", jobTitle: "Software Engineer" },
  { department: "Finance", jobTitle: "Accountant" },
  { department: "Human Resources", jobTitle: "HR Business Partner" },
  { department: "Sales", jobTitle: "Sales Development Representative" },
  { department: "Engineering", jobTitle: "QA Engineer" },
  { department: "Legal", jobTitle: "Legal Counsel" },
  { department: "Marketing", jobTitle: "Content Strategist" },
  { department: "Operations", jobTitle: "Office Manager" },
  { department: "Engineering", jobTitle: "Software Engineer" },
  { department: "Sales", jobTitle: "Customer Success Manager" },
];

export interface ExternalOrg {
  name: string;
  domain: string;
}

/** Partner and customer organisations. `.example` (RFC 2606) so no link in the demo goes anywhere real. */
export const EXTERNAL_ORGS: readonly ExternalOrg[] = [
  { name: "Fabrikam, Inc.", domain: "fabrikam.example" },
  { name: "Northwind Traders", domain: "northwind-traders.example" },
  { name: "Adventure Works", domain: "adventure-works.example" },
  { name: "Wide World Importers", domain: "wideworld-importers.example" },
  { name: "Müller & Söhne GmbH", domain: "mueller-soehne.example" },
  { name: "Litware", domain: "litware.example" },
  { name: "北京星辰科技", domain: "xingchen-tech.example" },
  { name: "Tailspin Toys", domain: "tailspin-toys.example" },
];

/** Senders of bulk mail: newsletters and notifications. */
export const BULK_SENDERS: readonly { name: string; address: string; kind: "newsletter" | "notification" }[] =
  [
    { name: "Fabrikam Insider", address: "news@mail.fabrikam.example", kind: "newsletter" },
    { name: "Cloud Weekly", address: "digest@cloudweekly.example", kind: "newsletter" },
    { name: "Le Journal du Commerce", address: "lettre@journal-commerce.example", kind: "newsletter" },
    { name: "Travel Deals ✈", address: "deals@wanderlust.example", kind: "newsletter" },
    { name: "Contoso Expenses", address: "noreply-expenses@contoso-demo.com", kind: "notification" },
    { name: "Contoso IT Service Desk", address: "servicedesk@contoso-demo.com", kind: "notification" },
  ];
