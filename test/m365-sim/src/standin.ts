import { createHash } from "node:crypto";
import type { Generator, GenGroup, GenMessage, GenUser, MailboxSpec, TenantParams } from "./tenant-source";

/**
 * A deliberately small, dependency-free tenant used by the simulator's own tests and whenever the
 * real generator (src/generator/) is absent. Deterministic for a seed; MIME is rebuilt on demand.
 */

const DOMAIN = "contoso.example";
const FIRST = [
  "Adele",
  "Alex",
  "Bianca",
  "Diego",
  "Émilie",
  "Grady",
  "Henrietta",
  "Isaiah",
  "Johanna",
  "Lee",
];
const LAST = [
  "Vance",
  "Wilber",
  "Pisani",
  "Siciliani",
  "Dubois",
  "Archie",
  "Mueller",
  "Langer",
  "Lidman",
  "Gu",
];
const FOLDERS = ["Inbox", "Inbox/Projects", "Inbox/Projects/2026", "Sent Items", "Archive", "Receipts"];

function h(...parts: Array<string | number>): number {
  return createHash("sha256").update(parts.join("\u0000")).digest().readUInt32LE(0);
}

function user(seed: number, i: number): GenUser {
  const given = FIRST[(i + seed) % FIRST.length] ?? "User";
  const sur = LAST[(i * 3 + seed) % LAST.length] ?? "Person";
  const local = `${given.normalize("NFD").replace(/[^A-Za-z]/g, "")}.${sur}${i}`.toLowerCase();
  const upn = `${local}@${DOMAIN}`;
  return {
    userPrincipalName: upn,
    displayName: `${given} ${sur}`,
    givenName: given,
    surname: sur,
    mail: upn,
    accountEnabled: i % 7 !== 6,
    licensed: i % 5 !== 4,
    userPurpose: "user",
    jobTitle: i % 2 ? "Engineer" : "Analyst",
    department: i % 2 ? "R&D" : "Finance",
  };
}

export function standInMime(seed: number, upn: string, i: number, extraBytes = 0): Buffer {
  const r = h(seed, upn, i);
  const date = new Date(Date.UTC(2026, 0, 1) - i * 3_600_000 * 7).toUTCString().replace("GMT", "+0000");
  const subject =
    i % 4 === 0
      ? `=?UTF-8?B?${Buffer.from(`Réunion n°${i} — ünïcode`).toString("base64")}?=`
      : `Status report ${i}`;
  const msgId = `<standin-${seed}-${h(upn)}-${i}@${DOMAIN}>`;
  const withAttachment = i % 3 === 0;
  const text = `Hello,\r\n\r\nThis is message ${i} for ${upn} (${r}).\r\n`;
  const head = [
    `From: "Sender ${r % 10}" <sender${r % 10}@fabrikam.example>`,
    `To: ${upn}`,
    i % 2 ? `Cc: "Team" <team@${DOMAIN}>` : "",
    `Subject: ${subject}`,
    `Date: ${date}`,
    `Message-ID: ${msgId}`,
    i > 0 && i % 5 === 0 ? `In-Reply-To: <standin-${seed}-${h(upn)}-${i - 1}@${DOMAIN}>` : "",
    "MIME-Version: 1.0",
  ].filter(Boolean);
  if (!withAttachment && extraBytes === 0) {
    return Buffer.from(
      `${head.join("\r\n")}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}`,
      "utf8",
    );
  }
  const b = `----=_Part_${seed}_${i}`;
  const payload = Buffer.alloc(Math.max(64, extraBytes), (r & 0xff) ^ 0x5a)
    .toString("base64")
    .replace(/.{76}/g, "$&\r\n");
  return Buffer.from(
    [
      ...head,
      `Content-Type: multipart/mixed; boundary="${b}"`,
      "",
      `--${b}`,
      "Content-Type: text/html; charset=utf-8",
      "",
      `<html><body><p>${text.trim()}</p></body></html>`,
      `--${b}`,
      `Content-Type: application/octet-stream; name="report-${i}.bin"`,
      `Content-Disposition: attachment; filename="report-${i}.bin"`,
      "Content-Transfer-Encoding: base64",
      "",
      payload,
      `--${b}--`,
      "",
    ].join("\r\n"),
    "utf8",
  );
}

function mailbox(seed: number, upn: string, count: number, hugeEvery = 0, hugeBytes = 0): MailboxSpec {
  return {
    folders: FOLDERS,
    messageCount: count,
    message(i: number): GenMessage {
      const folderPath = FOLDERS[h(seed, upn, "f", i) % FOLDERS.length] ?? "Inbox";
      return {
        folderPath,
        receivedDateTime: new Date(Date.UTC(2026, 0, 1) - i * 3_600_000 * 7 + 60_000).toISOString(),
        isRead: i % 3 !== 1,
        mime: () => standInMime(seed, upn, i, hugeEvery && i % hugeEvery === 0 ? hugeBytes : 0),
      };
    },
    events: [],
    contacts: [],
    todoLists: [],
    notes: [],
    calendarPermissions: [],
    mailboxPermissions: [],
  };
}

export const standInGenerator: Generator = {
  kind: "stand-in",
  generateTenant(p: TenantParams) {
    const users: GenUser[] = [];
    for (let i = 0; i < p.users; i++) users.push(user(p.seed, i));
    const shared: GenUser = {
      userPrincipalName: `shared.mailbox@${DOMAIN}`,
      displayName: "Shared Mailbox",
      givenName: "",
      surname: "",
      mail: `shared.mailbox@${DOMAIN}`,
      accountEnabled: false,
      licensed: false,
      userPurpose: "shared",
    };
    users.push(shared);
    const upns = users.map((u) => u.userPrincipalName);
    const groups: GenGroup[] = [
      {
        displayName: "All Staff",
        mail: `allstaff@${DOMAIN}`,
        mailEnabled: true,
        securityEnabled: false,
        groupTypes: ["Unified"],
        proxyAddresses: [`SMTP:allstaff@${DOMAIN}`, `smtp:everyone@${DOMAIN}`],
        memberUpns: upns.slice(0, Math.max(1, upns.length - 1)),
        memberGroupNames: [],
      },
      {
        displayName: "Finance Security",
        mailEnabled: false,
        securityEnabled: true,
        groupTypes: [],
        proxyAddresses: [],
        memberUpns: upns.filter((_, i) => i % 2 === 0),
        memberGroupNames: [],
      },
      {
        displayName: "Legal Hold Mail Security",
        mail: `legal@${DOMAIN}`,
        mailEnabled: true,
        securityEnabled: true,
        groupTypes: [],
        proxyAddresses: [`SMTP:legal@${DOMAIN}`],
        memberUpns: upns.slice(0, 1),
        memberGroupNames: ["Finance Security"],
      },
      {
        displayName: "Sales Distribution",
        mail: `sales@${DOMAIN}`,
        mailEnabled: true,
        securityEnabled: false,
        groupTypes: [],
        onPremisesDistinguishedName: `CN=Sales Distribution,OU=Groups,DC=contoso,DC=example`,
        onPremisesSyncEnabled: true,
        proxyAddresses: [`SMTP:sales@${DOMAIN}`, `smtp:vertrieb@${DOMAIN}`],
        memberUpns: upns.slice(1, 3),
        memberGroupNames: ["Legal Hold Mail Security"],
      },
    ];
    const mailboxes: Record<string, MailboxSpec> = {};
    for (const u of users) {
      if (u.licensed || u.userPurpose === "shared") {
        mailboxes[u.userPrincipalName] = mailbox(p.seed, u.userPrincipalName, p.messagesPerUser);
      }
    }
    return { users, groups, mailboxes, domain: DOMAIN };
  },
  generateLargeMailbox(p) {
    return mailbox(p.seed, "large", p.messages, p.hugeMessageBytes ? 997 : 0, p.hugeMessageBytes ?? 0);
  },
};
