import { type AddressObject, simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { mailboxContextOf } from "./build-mailbox";
import { generateLargeMailbox, generateTenant } from "./index";
import { planMessage } from "./mail-plan";
import type { GeneratedMessage, MailboxSpec } from "./types";

/**
 * `meta()` answers from the plan what the simulator would otherwise parse out of `mime()`; it must
 * say exactly what the MIME says. Checked here with mailparser (the worker's parser) over messages
 * of every payload kind; the simulator checks its own header reader over whole mailboxes.
 */

function list(field: AddressObject | AddressObject[] | undefined) {
  const all = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return all.flatMap((a) => a.value.map((v) => ({ name: v.name, address: v.address ?? "" })));
}

async function check(message: GeneratedMessage, where: string): Promise<void> {
  const meta = message.meta!()!;
  const parsed = await simpleParser(message.mime(), { skipHtmlToText: true, skipTextToHtml: true });
  expect(meta.subject, where).toBe(parsed.subject);
  expect([meta.from], where).toEqual(list(parsed.from));
  expect(meta.to, where).toEqual(list(parsed.to));
  expect(meta.cc, where).toEqual(list(parsed.cc));
  expect(meta.internetMessageId, where).toBe(parsed.messageId);
  expect(meta.inReplyTo, where).toBe(parsed.inReplyTo);
  const references = parsed.references === undefined ? [] : [parsed.references].flat();
  expect(meta.references, where).toEqual(references);
  expect(meta.sentDateTime, where).toBe(parsed.date?.toISOString().replace(".000Z", "Z"));
  // mailparser folds Importance into its own priority field; the raw header line is what counts
  const importance = parsed.headerLines.find((h) => h.key === "importance")?.line;
  expect(meta.importance, where).toBe(importance === "Importance: high" ? "high" : "normal");
  expect(meta.hasAttachments, where).toBe(
    parsed.attachments.some((a) => a.contentDisposition === "attachment"),
  );
}

/** Up to `perKind` messages of each payload kind (and every fixture gets `undefined`). */
async function checkMailbox(mailbox: MailboxSpec, perKind: number): Promise<Set<string>> {
  const ctx = mailboxContextOf(mailbox);
  const seen = new Map<string, number>();
  for (let i = 0; i < mailbox.messageCount; i++) {
    const plan = planMessage(ctx, i);
    const kind = plan.type === "fixture" ? "fixture" : plan.payload;
    const count = seen.get(kind) ?? 0;
    if (count >= perKind) continue;
    seen.set(kind, count + 1);
    const message = mailbox.message(i);
    if (plan.type === "fixture") expect(message.meta!(), `fixture ${i}`).toBeUndefined();
    else await check(message, `${ctx.upn} #${i} (${kind})`);
  }
  return new Set(seen.keys());
}

describe("message meta", () => {
  it("says what the MIME says, for every payload kind", async () => {
    const tenant = generateTenant({ seed: 13, users: 8, messagesPerUser: 500 });
    const kinds = new Set<string>();
    for (const mailbox of Object.values(tenant.mailboxes))
      for (const kind of await checkMailbox(mailbox, 3)) kinds.add(kind);
    const { mailbox } = generateLargeMailbox({ seed: 2, messages: 3000, hugeMessageBytes: 40_000 });
    for (const kind of await checkMailbox(mailbox, 6)) kinds.add(kind);
    expect([...kinds].sort()).toEqual(
      [
        "attachments",
        "fixture",
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
  }, 60_000);

  it("finds high importance where the composer sets it", async () => {
    const { mailbox } = generateLargeMailbox({ seed: 1, messages: 2000, fixturesDir: null });
    const high = [...Array(mailbox.messageCount).keys()].filter(
      (i) => mailbox.message(i).meta!()!.importance === "high",
    );
    // About one in fifty
    expect(high.length).toBeGreaterThan(15);
    expect(high.length).toBeLessThan(80);
    for (const i of high.slice(0, 10)) await check(mailbox.message(i), `large #${i}`);
  }, 30_000);
});
