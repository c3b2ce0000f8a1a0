import { EXTERNAL_TOPICS, INTERNAL_TOPICS, type Topic } from "./bodies";
import { DAY, EPOCH_MS, HOUR, MINUTE, sampleAge } from "./dates";
import type { Correspondent, MailboxContext } from "./mail-context";
import { memoPer } from "./memo";
import type { Category } from "./plan-types";
import { rngFor } from "./random";

/**
 * Conversations: indices are cut into blocks of 8, and each block into conversations of 1–6
 * messages, seeded per block, so any index finds its conversation without looking at others.
 */

const BLOCK = 8;
const THREAD_LENGTHS: readonly (readonly [number, number])[] = [
  [1, 0.38],
  [2, 0.24],
  [3, 0.18],
  [4, 0.12],
  [6, 0.08],
];

/** How a block is cut into conversations: [start, length] pairs, or null when it holds a special message. */
function blockLayout(ctx: MailboxContext, base: number): (readonly [number, number])[] | null {
  const end = Math.min(base + BLOCK, ctx.messageCount);
  for (let j = base; j < end; j++) if (ctx.specials.has(j)) return null;
  const rng = rngFor(ctx.seed, ctx.upn, "block", base);
  const out: (readonly [number, number])[] = [];
  for (let start = base; start < end; ) {
    const length = Math.min(rng.weighted(THREAD_LENGTHS), end - start);
    out.push([start, length]);
    start += length;
  }
  return out;
}

const layouts = memoPer<MailboxContext, number, (readonly [number, number])[] | null>(512);
const threads = memoPer<MailboxContext, string, Thread>(512);

export function threadSlot(
  ctx: MailboxContext,
  i: number,
): { start: number; length: number; position: number } {
  const base = i - (i % BLOCK);
  const layout = layouts(ctx).get(base, () => blockLayout(ctx, base));
  // Special messages stand alone, and so does the rest of their block
  if (!layout) return { start: i, length: 1, position: 0 };
  for (const [start, length] of layout) if (i < start + length) return { start, length, position: i - start };
  throw new RangeError(`message index ${i} out of range`);
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

export interface Thread {
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

/** The conversation starting at `start` (remembered: its messages are planned one by one). */
export function buildThread(ctx: MailboxContext, start: number, length: number): Thread {
  return threads(ctx).get(`${start}:${length}`, () => newThread(ctx, start, length));
}

function newThread(ctx: MailboxContext, start: number, length: number): Thread {
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
