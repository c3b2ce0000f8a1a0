import { NOTIFICATIONS, SPAM_SUBJECTS } from "./bodies";
import { EPOCH_MS, MINUTE, sampleAge } from "./dates";
import type { Correspondent, MailboxContext } from "./mail-context";
import { BULK_SENDERS } from "./people";
import { attachmentsFor, isRead, messageIdFor, replyPrefix } from "./plan-common";
import { planSpecial } from "./plan-special";
import { buildThread, threadSlot } from "./plan-thread";
import type { AttachmentSpec, ComposedPlan, MessagePlan, Payload } from "./plan-types";
import { hashKey, rngFor } from "./random";

/**
 * What message i of a mailbox is — who, when, where, which subject and which parts — without
 * building any MIME. Everything is derived from (seed, upn, i) plus the small mailbox context, so
 * any message can be planned on its own, in any order.
 *
 * Threads: indices are cut into blocks of 8, and each block into conversations of 1–6 messages
 * (seeded per block). A reply at position p references the Message-IDs of positions 0..p-1 of the
 * same conversation, which are computed the same way.
 */

export type * from "./plan-types";

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
