import { DAY, EPOCH_MS, HOUR, sampleAge } from "./dates";
import type { Correspondent, MailboxContext, Special } from "./mail-context";
import { isRead, messageIdFor } from "./plan-common";
import type { AttachmentType, MessagePlan } from "./plan-types";
import { rngFor } from "./random";

/** Messages with a fixed role: public fixtures, the sanitiser test, large and huge attachments. */
export function planSpecial(ctx: MailboxContext, index: number, special: Special): MessagePlan {
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
