import { randomBytes } from "node:crypto";
import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import { mailboxContextOf } from "./build-mailbox";
import { composeOptions } from "./compose-message";
import { composePieces, fastPieces } from "./fast-mime";
import { hugeMessageOptions } from "./huge-message";
import { generateLargeMailbox, generateTenant } from "./index";
import { planMessage } from "./mail-plan";
import {
  composeWithNodemailer,
  mailComposerPieces,
  piecesToBuffer,
  withFinalNewline,
  wrapBase64,
} from "./mime-serialize";
import type { MailboxSpec } from "./types";

/**
 * The fast composition path must write MailComposer's bytes, message for message: compared here
 * with the serialised MailComposer tree over whole mailboxes (every payload kind, several seeds)
 * and with nodemailer's own build() for a sample. Shapes it does not know go to MailComposer.
 */

function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

/** Compares up to `perKind` messages of each payload kind (all of them with Infinity). */
function compareMailbox(mailbox: MailboxSpec, perKind: number, kinds: Map<string, number>): void {
  const ctx = mailboxContextOf(mailbox);
  for (let i = 0; i < mailbox.messageCount; i++) {
    const plan = planMessage(ctx, i);
    if (plan.type !== "composed" || (kinds.get(plan.payload) ?? 0) >= perKind) continue;
    const options = () =>
      plan.payload === "huge" ? hugeMessageOptions(ctx, plan) : composeOptions(ctx, plan);
    const fast = fastPieces(options());
    expect(fast, `${plan.payload} #${i} takes the fast path`).toBeDefined();
    const ours = piecesToBuffer(withFinalNewline(fast!));
    const theirs = piecesToBuffer(withFinalNewline(mailComposerPieces(options())));
    expect(firstDifference(ours, theirs), `${ctx.upn} #${i} (${plan.payload})`).toBe(-1);
    kinds.set(plan.payload, (kinds.get(plan.payload) ?? 0) + 1);
  }
}

describe("fast MIME composition", () => {
  it("writes MailComposer's bytes for every message of two tenants and the large mailbox", () => {
    const kinds = new Map<string, number>();
    for (const [seed, users] of [
      [7, 8],
      [21, 4],
    ] as const) {
      const tenant = generateTenant({ seed, users, messagesPerUser: 200, fixturesDir: null });
      for (const mailbox of Object.values(tenant.mailboxes)) compareMailbox(mailbox, Infinity, kinds);
    }
    const { mailbox } = generateLargeMailbox({ seed: 1, messages: 2000, hugeMessageBytes: 200_000 });
    compareMailbox(mailbox, Infinity, kinds);
    expect([...kinds.keys()].sort()).toEqual(
      [
        "attachments",
        "forward-attached",
        "forward-inline",
        "html",
        "html-logo",
        "huge",
        "invite",
        "invite-reply",
        "invite-update",
        "large",
        "newsletter",
        "notification",
        "plain",
        "sanitizer",
        "spam",
      ].sort(),
    );
  }, 120_000);

  it("agrees with nodemailer's own build() on a sample", async () => {
    const { mailbox } = generateLargeMailbox({ seed: 3, messages: 400, fixturesDir: null });
    const ctx = mailboxContextOf(mailbox);
    for (let i = 1; i < 400; i += 7) {
      const plan = planMessage(ctx, i);
      if (plan.type !== "composed") continue;
      const ours = piecesToBuffer(composePieces(composeOptions(ctx, plan)));
      const theirs = await composeWithNodemailer(composeOptions(ctx, plan));
      expect(firstDifference(ours, theirs), `#${i} (${plan.payload})`).toBe(-1);
    }
  }, 60_000);

  it("leaves options it does not reproduce to MailComposer", async () => {
    const base: MailComposerOptions = {
      from: { name: "Zoë Harper", address: "zoe@example.com" },
      to: [{ name: "Lei Li", address: "lei@example.com" }],
      subject: "Übersicht",
      messageId: "<a@example.com>",
      date: "Mon, 2 Nov 2026 10:00:00 +0100",
      baseBoundary: "0123456789abcdef",
      text: "Hallo",
    };
    expect(fastPieces(base)).toBeDefined();
    const others: MailComposerOptions[] = [
      { ...base, priority: "high" },
      { ...base, replyTo: "x@example.com" },
      { ...base, baseBoundary: "with space" },
      { ...base, attachments: [{ filename: "a.txt", path: "/etc/hostname" }] },
      { ...base, attachments: [{ filename: "bad\u0001name.txt", content: "x" }] },
      { ...base, from: "Zoë <zoe@example.com>" },
    ];
    for (const options of others) {
      expect(fastPieces(options)).toBeUndefined();
      if ((options.attachments as Array<{ path?: string }> | undefined)?.[0]?.path) continue;
      const ours = piecesToBuffer(composePieces(options));
      expect(firstDifference(ours, await composeWithNodemailer(options))).toBe(-1);
    }
  });

  it("wraps base64 exactly like the plain encoding cut into 76-character lines", () => {
    for (const length of [0, 1, 2, 3, 56, 57, 58, 59, 113, 114, 115, 116, 1000, 65_536, 300_001]) {
      const bytes = randomBytes(length);
      const plain = bytes.toString("base64");
      const expected = (plain.match(/.{1,76}/g) ?? []).join("\r\n");
      expect(wrapBase64(bytes).toString("latin1"), `${length} bytes`).toBe(expected);
    }
  });
});
