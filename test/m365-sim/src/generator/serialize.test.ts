import { describe, expect, it } from "vitest";
import { mailboxContextOf } from "./build-mailbox";
import { composeOptions } from "./compose-message";
import { composePieces } from "./fast-mime";
import { hugeMessageOptions } from "./huge-message";
import { generateLargeMailbox, generateTenant } from "./index";
import { type Payload, planMessage } from "./mail-plan";
import { composeWithNodemailer, piecesToBuffer } from "./mime-serialize";

/** -1 when equal, else the first offset where the two differ (a readable failure for big buffers). */
function firstDifference(a: Buffer, b: Buffer): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : length;
}

describe("synchronous MIME serialisation", () => {
  it("writes the same bytes as nodemailer's own build() for every kind of message", async () => {
    const tenant = generateTenant({ seed: 7, users: 12, messagesPerUser: 500, fixturesDir: null });
    const seen = new Map<Payload, number>();
    for (const mailbox of Object.values(tenant.mailboxes)) {
      const ctx = mailboxContextOf(mailbox);
      for (let i = 0; i < mailbox.messageCount; i++) {
        const plan = planMessage(ctx, i);
        if (plan.type !== "composed") continue;
        const count = seen.get(plan.payload) ?? 0;
        if (count >= (plan.payload === "large" ? 1 : 4)) continue;
        seen.set(plan.payload, count + 1);
        const ours = piecesToBuffer(composePieces(composeOptions(ctx, plan)));
        const theirs = await composeWithNodemailer(composeOptions(ctx, plan));
        expect(firstDifference(ours, theirs), `${plan.payload} message ${i}`).toBe(-1);
      }
    }
    const expected: Payload[] = [
      "plain",
      "html",
      "html-logo",
      "attachments",
      "forward-attached",
      "forward-inline",
      "invite",
      "invite-reply",
      "invite-update",
      "newsletter",
      "notification",
      "spam",
      "sanitizer",
      "large",
    ];
    expect([...seen.keys()].sort()).toEqual(expected.sort());
  }, 60_000);

  it("streams the huge message's attachment with the same bytes and the exact requested size", async () => {
    for (const bytes of [8192 + 123, 300_001]) {
      const { mailbox } = generateLargeMailbox({
        seed: 3,
        messages: 20,
        hugeMessageBytes: bytes,
        fixturesDir: null,
      });
      const ctx = mailboxContextOf(mailbox);
      const plan = planMessage(ctx, 0);
      if (plan.type !== "composed") throw new Error("message 0 should be the huge message");
      const ours = mailbox.message(0).mime();
      expect(ours.length).toBe(bytes);
      const theirs = await composeWithNodemailer(hugeMessageOptions(ctx, plan));
      expect(firstDifference(ours, theirs)).toBe(-1);
    }
  });
});
