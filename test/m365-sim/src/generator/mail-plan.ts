import {
  EXTERNAL_TOPICS,
  INTERNAL_TOPICS,
  type Lang,
  NOTIFICATIONS,
  SPAM_SUBJECTS,
  type Topic,
} from "./bodies";
import { DAY, EPOCH_MS, HOUR, MINUTE, sampleAge } from "./dates";
import type { Fixture } from "./fixtures";
import type { Correspondent, MailboxContext, Special } from "./mail-context";
import { BULK_SENDERS } from "./people";
import { hashKey, type Rng, rngFor } from "./random";

/**
 * What message i of a mailbox is — who, when, where, which subject and which parts — without
 * building any MIME. Everything is derived from (seed, upn, i) plus the small mailbox context, so
 * any message can be planned on its own, in any order.
 *
 * Threads: indices are cut into blocks of 8, and each block into conversations of 1–6 messages
 * (seeded per block). A reply at position p references the Message-IDs of positions 0..p-1 of the
 * same conversation, which are computed the same way.
 */

export type Category = "internal" | "external" | "newsletter" | "notification" | "spam" | "invite";
export type AttachmentType = "pdf" | "docx" | "xlsx" | "png" | "csv" | "zip" | "ics" | "eml";
export type Payload =
  | "plain"
  | "html"
  | "html-logo"
  | "attachments"
  | "forward-attached"
  | "forward-inline"
  | "invite"
  | "invite-reply"
  | "invite-update"
  | "newsletter"
  | "notification"
  | "spam"
  | "sanitizer"
  | "large"
  | "huge";

export interface AttachmentSpec {
  type: AttachmentType;
  name: string;
  size: number;
}

interface PlanBase {
  index: number;
  folderPath: string;
  receivedMs: number;
  isRead: boolean;
}

export interface FixturePlan extends PlanBase {
  type: "fixture";
  fixture: Fixture;
}

export interface ComposedPlan extends PlanBase {
  type: "composed";
  payload: Payload;
  category: Category | "special";
  sentMs: number;
  from: Correspondent;
  to: Correspondent[];
  cc: Correspondent[];
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references: string[];
  lang: Lang;
  threadStart: number;
  position: number;
  attachments: AttachmentSpec[];
  /** Invitations: the meeting this message is about. */
  meeting?: { startMs: number; endMs: number; uid: string; location: string; sequence: number };
  special?: Special;
}

export type MessagePlan = FixturePlan | ComposedPlan;

const BLOCK = 8;
const THREAD_LENGTHS: readonly (readonly [number, number])[] = [
  [1, 0.38],
  [2, 0.24],
  [3, 0.18],
  [4, 0.12],
  [6, 0.08],
];

export function threadSlot(
  ctx: MailboxContext,
  i: number,
): { start: number; length: number; position: number } {
  const base = i - (i % BLOCK);
  const end = Math.min(base + BLOCK, ctx.messageCount);
  // Special messages stand alone, and so does the rest of their block
  for (let j = base; j < end; j++) if (ctx.specials.has(j)) return { start: i, length: 1, position: 0 };
  const rng = rngFor(ctx.seed, ctx.upn, "block", base);
  for (let start = base; start < end; ) {
    const length = Math.min(rng.weighted(THREAD_LENGTHS), end - start);
    if (i < start + length) return { start, length, position: i - start };
    start += length;
  }
  throw new RangeError(`message index ${i} out of range`);
}

const ATTACHMENT_NAMES: Record<AttachmentType, readonly string[]> = {
  pdf: [
    "Invoice INV-2026-0412.pdf",
    "Angebot_Müller_&_Söhne.pdf",
    "Rapport annuel 2026 – résumé.pdf",
    "报价单.pdf",
    "Contract_Fabrikam_2027_signed.pdf",
  ],
  docx: [
    "Meeting notes.docx",
    "Projektplan – Überblick.docx",
    "Compte rendu réunion.docx",
    "Proposal v3 (final).docx",
  ],
  xlsx: ["Q4 budget.xlsx", "Umsatzübersicht 2026.xlsx", "Kostenaufstellung_Łódź.xlsx", "销售数据.xlsx"],
  png: ["screenshot.png", "Diagramm_Übersicht.png", "whiteboard photo.png"],
  csv: ["export.csv", "Teilnehmerliste.csv", "orders_2026-10.csv"],
  zip: ["Fotos Offsite.zip", "logs-2026-10-28.zip", "Ausschreibungsunterlagen.zip"],
  ics: ["invite.ics", "Team-Termine.ics"],
  eml: ["Original message.eml"],
};

function attachmentsFor(rng: Rng, count: number): AttachmentSpec[] {
  return Array.from({ length: count }, (): AttachmentSpec => {
    const type = rng.weighted<AttachmentType>([
      ["pdf", 25],
      ["docx", 17],
      ["xlsx", 17],
      ["png", 12],
      ["csv", 10],
      ["zip", 7],
      ["ics", 5],
      ["eml", 7],
    ]);
    // Mostly small documents, one in twenty a few hundred KB: the size mix of ordinary office mail
    const size =
      type === "csv" || type === "ics"
        ? rng.logInt(1_000, 40_000)
        : rng.chance(0.05)
          ? rng.logInt(200_000, 900_000)
          : rng.logInt(3_000, 120_000);
    return { type, name: rng.pick(ATTACHMENT_NAMES[type]), size };
  });
}

/** Message-IDs look like the sender's system writes them: Exchange Online inside, MTAs outside. */
export function messageIdFor(ctx: MailboxContext, index: number, sender: Correspondent): string {
  const hash = hashKey([ctx.seed, ctx.upn, "message-id", index]).toString("hex").toUpperCase();
  if (sender.isInternal) {
    const server = `AM7PR05MB${(hashKey([sender.address]).readUInt16LE(0) % 9000) + 1000}`;
    return `<${server}${hash.slice(0, 20)}@${server}.eurprd05.prod.outlook.com>`;
  }
  return `<${hash.slice(0, 24).toLowerCase()}@mail.${sender.address.split("@")[1]}>`;
}

function categoryWeights(ctx: MailboxContext): readonly (readonly [Category, number])[] {
  if (ctx.kind === "room" || ctx.kind === "equipment") return [["invite", 1]];
  if (ctx.kind === "shared")
    return [
      ["external", 70],
      ["internal", 5],
      ["newsletter", 10],
      ["notification", 5],
      ["spam", 10],
    ];
  return [
    ["internal", 42],
    ["external", 23],
    ["newsletter", 12],
    ["notification", 8],
    ["invite", 8],
    ["spam", 7],
  ];
}

interface Thread {
  category: Category;
  topic: Topic;
  participants: Correspondent[];
  senders: Correspondent[];
  forwardTo: (Correspondent | undefined)[];
  receivedMs: number[];
  receivedFolder: string;
  isDraftLast: boolean;
  meetingStartMs: number;
}

function buildThread(ctx: MailboxContext, start: number, length: number): Thread {
  const rng = rngFor(ctx.seed, ctx.upn, "thread", start);
  const category = rng.weighted(categoryWeights(ctx));
  const isExternal = category === "external" || (category === "invite" && rng.chance(0.15));
  const pool = isExternal ? ctx.externals : ctx.colleagues.length > 0 ? ctx.colleagues : ctx.externals;
  const participants = rng.sample(pool, rng.int(1, category === "invite" ? 4 : 3));
  const topic = rng.pick(isExternal ? EXTERNAL_TOPICS : INTERNAL_TOPICS);
  const ownerShare = ctx.kind === "regular" || ctx.kind === "disabled" ? 0.35 : 0.05;
  const ownerStarts = ctx.kind !== "room" && ctx.kind !== "equipment" && rng.chance(ownerShare);

  const senders: Correspondent[] = [];
  const forwardTo: (Correspondent | undefined)[] = [];
  for (let p = 0; p < length; p++) {
    let sender: Correspondent;
    if (category === "invite") {
      const organizer = ownerStarts ? ctx.owner : participants[0]!;
      if (p === 0) sender = organizer;
      else if (ownerStarts) sender = participants[(p - 1) % participants.length]!;
      else sender = p === 1 ? ctx.owner : organizer;
    } else if (p === 0) sender = ownerStarts ? ctx.owner : participants[0]!;
    else if (senders[p - 1] === ctx.owner) sender = participants[p % participants.length]!;
    else
      sender =
        rng.chance(0.65) || participants.length === 1
          ? ctx.owner
          : participants[(p + 1) % participants.length]!;
    senders.push(sender);
    const outsiders = ctx.colleagues.filter((c) => !participants.includes(c));
    const forwards = category === "internal" || category === "external";
    forwardTo.push(
      forwards && p > 0 && sender === ctx.owner && outsiders.length > 0 && rng.chance(0.15)
        ? rng.pick(outsiders)
        : undefined,
    );
  }

  const gaps = Array.from({ length }, (_, p) =>
    p === 0 ? 0 : Math.round(rng.logInt(5 * MINUTE, 36 * HOUR) / 1000) * 1000,
  );
  const span = gaps.reduce((a, b) => a + b, 0);
  let age = sampleAge(rng);
  if (age < span + 10 * MINUTE) age = span + 10 * MINUTE + rng.int(0, 6 * 3600) * 1000;
  let at = EPOCH_MS - age;
  const receivedMs = gaps.map((gap) => (at += gap));

  const receivedFolder = rng.weighted<string>([
    ["Inbox", 55],
    [ctx.filing.length > 0 ? rng.pick(ctx.filing) : "Inbox", 30],
    ["Archive", 8],
    ["Deleted Items", 7],
  ]);
  return {
    category,
    topic,
    participants,
    senders,
    forwardTo,
    receivedMs,
    receivedFolder,
    isDraftLast: rng.chance(0.05),
    meetingStartMs:
      Math.floor((receivedMs[0]! + rng.int(1, 10) * DAY) / HOUR) * HOUR + rng.int(0, 1) * 30 * MINUTE,
  };
}

function replyPrefix(lang: Lang, forward: boolean): string {
  if (lang === "de") return forward ? "WG: " : "AW: ";
  return forward ? "Fwd: " : "Re: ";
}

function isRead(rng: Rng, receivedMs: number, folder: string): boolean {
  if (folder === "Sent Items" || folder === "Drafts") return true;
  if (folder === "Junk Email") return rng.chance(0.2);
  return rng.chance(EPOCH_MS - receivedMs > 14 * DAY ? 0.96 : 0.5);
}

function planSpecial(ctx: MailboxContext, index: number, special: Special): MessagePlan {
  const rng = rngFor(ctx.seed, ctx.upn, "special", index);
  if (special.kind === "fixture") {
    const isSpam = special.fixture.path.includes("/spam/");
    const receivedMs = EPOCH_MS - sampleAge(rng);
    const folderPath = isSpam ? "Junk Email" : rng.chance(0.7) ? "Inbox" : "Archive";
    return {
      type: "fixture",
      index,
      fixture: special.fixture,
      folderPath,
      receivedMs,
      isRead: isRead(rng, receivedMs, folderPath),
    };
  }
  const base = {
    type: "composed" as const,
    index,
    category: "special" as const,
    cc: [],
    references: [],
    lang: "en" as const,
    threadStart: index,
    position: 0,
    special,
  };
  if (special.kind === "sanitizer") {
    const from: Correspondent = {
      name: "Mailbox Security Team",
      address: "security@account-verify.example",
      firstName: "Security",
      utcOffset: 0,
      isInternal: false,
      company: "Account Verify",
    };
    const receivedMs = EPOCH_MS - 2 * DAY - rng.int(0, 20) * HOUR;
    return {
      ...base,
      payload: "sanitizer",
      folderPath: "Inbox",
      receivedMs,
      sentMs: receivedMs - 40_000,
      isRead: false,
      from,
      to: [ctx.owner],
      subject: "Action required: your mailbox is almost full",
      messageId: messageIdFor(ctx, index, from),
      attachments: [],
    };
  }
  const from = ctx.colleagues.length > 0 ? rng.pick(ctx.colleagues) : rng.pick(ctx.externals);
  if (special.kind === "huge") {
    const receivedMs = EPOCH_MS - 3 * DAY - 5 * HOUR;
    return {
      ...base,
      payload: "huge",
      folderPath: "Inbox",
      receivedMs,
      sentMs: receivedMs - 90_000,
      isRead: true,
      from,
      to: [ctx.owner],
      subject: "Disk image export (large)",
      messageId: messageIdFor(ctx, index, from),
      attachments: [{ type: "zip", name: "disk-image-2026-10.zip", size: special.bytes }],
    };
  }
  const receivedMs = EPOCH_MS - sampleAge(rng);
  const type = rng.pick<AttachmentType>(["zip", "pdf"]);
  const folderPath = ctx.filing.length > 0 && rng.chance(0.5) ? rng.pick(ctx.filing) : "Inbox";
  return {
    ...base,
    payload: "large",
    folderPath,
    receivedMs,
    sentMs: receivedMs - 60_000,
    isRead: isRead(rng, receivedMs, folderPath),
    from,
    to: [ctx.owner],
    subject:
      type === "zip" ? "Site survey photos – all 3 buildings" : "Signed contract scan (full resolution)",
    messageId: messageIdFor(ctx, index, from),
    attachments: [
      {
        type,
        name: type === "zip" ? "Begehung_Fotos_Gebäude_A-C.zip" : "Vertrag_unterschrieben_Scan.pdf",
        size: rng.int(1_500_000, 4_000_000),
      },
    ],
  };
}

/** The plan of message `index`, computed from scratch; cheap (a few hashes, no MIME). */
export function planMessage(ctx: MailboxContext, index: number): MessagePlan {
  if (!Number.isInteger(index) || index < 0 || index >= ctx.messageCount) {
    throw new RangeError(`message index ${index} out of range 0..${ctx.messageCount - 1}`);
  }
  const special = ctx.specials.get(index);
  if (special) return planSpecial(ctx, index, special);

  const { start, length, position } = threadSlot(ctx, index);
  const thread = buildThread(ctx, start, length);
  const rng = rngFor(ctx.seed, ctx.upn, "message", index);
  const from = thread.senders[position]!;
  const isOwn = from === ctx.owner;
  const forwardTo = thread.forwardTo[position];
  const others = thread.participants.filter((p) => p !== from);
  let to: Correspondent[];
  let cc: Correspondent[] = [];
  if (forwardTo) to = [forwardTo];
  else if (isOwn) {
    to = others.length > 0 ? others.slice(0, 1) : [thread.participants[0]!];
    cc = others.slice(1);
  } else {
    to = [ctx.owner];
    cc = others;
  }
  if (ctx.groupAddresses.length > 0 && thread.category === "internal" && rng.chance(0.12)) {
    cc = [...cc, rng.pick(ctx.groupAddresses)];
  }

  const receivedMs = thread.receivedMs[position]!;
  let folderPath = isOwn ? "Sent Items" : thread.receivedFolder;
  if (isOwn && position === length - 1 && thread.isDraftLast && thread.category !== "invite")
    folderPath = "Drafts";
  let subject = thread.topic.subject;
  let payload: Payload;
  let attachments: AttachmentSpec[] = [];
  let meeting: ComposedPlan["meeting"];
  let lang = thread.topic.lang;
  let sender = from;

  switch (thread.category) {
    case "internal":
    case "external": {
      for (let p = 1; p <= position; p++) {
        const forward = thread.forwardTo[p] !== undefined;
        const prefix = replyPrefix(lang, forward);
        if (forward || !/^(Re|AW|Fwd|WG): /.test(subject)) subject = prefix + subject;
      }
      if (forwardTo) payload = rng.chance(0.5) ? "forward-attached" : "forward-inline";
      else {
        payload = rng.weighted<Payload>([
          ["plain", 20],
          ["html", 35],
          ["html-logo", 17],
          ["attachments", 28],
        ]);
      }
      if (payload === "attachments")
        attachments = attachmentsFor(
          rng,
          rng.weighted([
            [1, 6],
            [2, 3],
            [3, 1],
          ] as const),
        );
      break;
    }
    case "invite": {
      const organizer = thread.senders[0]!;
      const sequence = !isOwn && position >= 2 && organizer !== ctx.owner ? position - 1 : 0;
      const durations = [30, 60, 60, 90];
      meeting = {
        startMs: thread.meetingStartMs,
        endMs: thread.meetingStartMs + rng.pick(durations) * MINUTE,
        uid: hashKey([ctx.seed, ctx.upn, "meeting", start]).toString("hex").slice(0, 32).toUpperCase(),
        location: rng.pick([
          "Harbour Room",
          "Microsoft Teams Meeting",
          "Fjord Room",
          "Café Zürich, 2nd floor",
        ]),
        sequence,
      };
      if (position === 0) payload = "invite";
      else if (sequence > 0) {
        payload = "invite-update";
        subject = `Updated: ${subject}`;
      } else {
        payload = "invite-reply";
        subject = `${rng.weighted([
          ["Accepted", 7],
          ["Tentative", 2],
          ["Declined", 1],
        ] as const)}: ${subject}`;
      }
      if (!isOwn && payload === "invite" && rng.chance(0.5)) folderPath = "Deleted Items";
      to =
        payload === "invite-reply"
          ? [organizer]
          : [ctx.owner, ...thread.participants].filter((p) => p !== from);
      cc = [];
      lang = "en";
      break;
    }
    case "newsletter": {
      const senders = BULK_SENDERS.filter((s) => s.kind === "newsletter");
      const bulk = senders[hashKey([ctx.seed, ctx.upn, "newsletter", start]).readUInt8(0) % senders.length]!;
      sender = {
        name: bulk.name,
        address: bulk.address,
        firstName: "",
        utcOffset: 0,
        isInternal: false,
        company: bulk.name,
      };
      subject = `${bulk.name}: ${rng.pick(["October highlights", "What's new this week", "Nouveautés du mois", "Last chance: 30 % off", "Your weekly digest"])}`;
      payload = "newsletter";
      folderPath = rng.chance(0.15) ? "Deleted Items" : ctx.newsletterFolder;
      to = [ctx.owner];
      cc = [];
      lang = "en";
      break;
    }
    case "notification": {
      const senders = BULK_SENDERS.filter((s) => s.kind === "notification");
      const bulk = rng.pick(senders);
      sender = {
        name: bulk.name,
        address: bulk.address.replace(/@.*/, `@${ctx.domain}`),
        firstName: "",
        utcOffset: 0,
        isInternal: true,
        company: ctx.company,
      };
      subject = rng.pick(NOTIFICATIONS).subject(rng.int(1000, 99999));
      payload = "notification";
      folderPath = rng.chance(0.2) ? "Deleted Items" : "Inbox";
      to = [ctx.owner];
      cc = [];
      lang = "en";
      break;
    }
    case "spam": {
      const domain = rng.pick([
        "win-big.example",
        "pharma-deals.example",
        "crypto-gains.example",
        "bank-secure.example",
      ]);
      sender = {
        name: rng.pick(["Prize Center", "Support", "Бухгалтерия", "客服"]),
        address: `promo@${domain}`,
        firstName: "",
        utcOffset: -300,
        isInternal: false,
        company: domain,
      };
      subject = rng.pick(SPAM_SUBJECTS);
      payload = "spam";
      folderPath = "Junk Email";
      to = [ctx.owner];
      cc = [];
      lang = "en";
      break;
    }
  }

  // Bulk mail is independent: each member of the "thread" gets its own date
  const isBulk =
    thread.category === "newsletter" || thread.category === "notification" || thread.category === "spam";
  const when = isBulk ? EPOCH_MS - sampleAge(rng) : receivedMs;
  const isThreaded =
    thread.category === "internal" || thread.category === "external" || thread.category === "invite";
  const references = isThreaded
    ? thread.senders.slice(0, position).map((s, p) => messageIdFor(ctx, start + p, s))
    : [];
  return {
    type: "composed",
    index,
    category: thread.category,
    payload,
    folderPath,
    receivedMs: when,
    sentMs: isOwn ? when : when - rng.int(2, 90) * 1000,
    isRead: isRead(rng, when, folderPath),
    from: sender,
    to,
    cc,
    subject,
    messageId: messageIdFor(ctx, index, sender),
    ...(references.length > 0 ? { inReplyTo: references[references.length - 1] } : {}),
    references,
    lang,
    threadStart: start,
    position,
    attachments,
    ...(meeting ? { meeting } : {}),
  };
}
