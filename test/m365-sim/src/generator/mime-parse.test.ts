import { type ParsedMail, simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { mailboxContextOf } from "./build-mailbox";
import { generateTenant } from "./index";
import { type ComposedPlan, planMessage } from "./mail-plan";

/**
 * Every generated message parses with mailparser (the parser the worker uses) and says what its
 * plan says: subject, sender, recipients, threading headers, date and attachment names —
 * including non-ASCII ones, which exercise RFC 2047 and RFC 2231 on the way through.
 */

const tenant = generateTenant({ seed: 11, users: 25, messagesPerUser: 300, fixturesDir: null });
const hasNonAscii = (text: string) => [...text].some((c) => c.charCodeAt(0) > 0x7f);
// keepCidLinks: leave cid: references as they are on the wire instead of inlining data: URLs
const parse = (raw: Buffer) => simpleParser(raw, { keepCidLinks: true });

function addresses(field: ParsedMail["to"]): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ""));
}

function check(plan: ComposedPlan, parsed: ParsedMail) {
  const where = `message ${plan.index} (${plan.payload})`;
  expect(parsed.subject, where).toBe(plan.subject);
  expect(parsed.from?.value, where).toEqual([{ name: plan.from.name, address: plan.from.address }]);
  expect(addresses(parsed.to), where).toEqual(plan.to.map((t) => t.address));
  expect(addresses(parsed.cc), where).toEqual(plan.cc.map((t) => t.address));
  expect(parsed.messageId, where).toBe(plan.messageId);
  expect(parsed.inReplyTo, where).toBe(plan.inReplyTo);
  expect(parsed.date?.getTime(), where).toBe(plan.sentMs);
  const names = parsed.attachments.map((a) => a.filename);
  for (const spec of plan.attachments) expect(names, where).toContain(spec.name);
  switch (plan.payload) {
    case "html-logo": {
      const logo = parsed.attachments.find((a) => a.related)!;
      expect(logo.contentType).toBe("image/png");
      expect(parsed.html).toContain(`cid:${logo.cid}`);
      break;
    }
    case "forward-attached":
      expect(
        parsed.attachments.some((a) => a.contentType === "message/rfc822"),
        where,
      ).toBe(true);
      break;
    case "invite":
    case "invite-update":
    case "invite-reply":
      expect(
        parsed.attachments.some((a) => a.contentType === "text/calendar"),
        where,
      ).toBe(true);
      break;
    case "newsletter":
      expect(parsed.headers.get("list"), where).toMatchObject({
        unsubscribe: { url: expect.stringMatching(/^https:/) },
      });
      expect(parsed.html, where).toMatch(/<img src="https:\/\/t\./);
      break;
    case "sanitizer":
      expect(parsed.html, where).toContain("<script");
      expect(parsed.html, where).toContain("onerror=");
      expect(parsed.html, where).toContain("<form");
      break;
    case "plain":
    case "notification":
      expect(parsed.html || "no html", where).toBe("no html");
      expect(parsed.attachments, where).toEqual([]);
      break;
    case "html":
      expect(parsed.html, where).toContain("MsoNormal");
      expect(parsed.attachments, where).toEqual([]);
      break;
  }
}

describe("generated MIME", () => {
  it("parses with mailparser and matches its plan, for every message of three kinds of mailbox", async () => {
    const upns = [
      tenant.users.find((u) => u.jobTitle === "Chief Executive Officer")!.userPrincipalName,
      tenant.users.find((u) => u.userPurpose === "shared")!.userPrincipalName,
      tenant.users.find((u) => u.userPurpose === "room")!.userPrincipalName,
    ];
    let parsedCount = 0;
    for (const upn of upns) {
      const mailbox = tenant.mailboxes[upn]!;
      const ctx = mailboxContextOf(mailbox);
      for (let i = 0; i < mailbox.messageCount; i++) {
        const plan = planMessage(ctx, i);
        if (plan.type !== "composed") continue;
        check(plan, await parse(mailbox.message(i).mime()));
        parsedCount++;
      }
    }
    expect(parsedCount).toBe(900);
  }, 120_000);

  it("round-trips non-ASCII subjects, display names and attachment file names", async () => {
    const mailbox = tenant.mailboxes[tenant.users[0]!.userPrincipalName]!;
    const ctx = mailboxContextOf(mailbox);
    const seen = { subject: 0, name: 0, filename: 0, body: 0 };
    for (let i = 0; i < mailbox.messageCount; i++) {
      const plan = planMessage(ctx, i);
      if (plan.type !== "composed") continue;
      const hasSubject = hasNonAscii(plan.subject);
      const hasName = hasNonAscii(plan.from.name);
      const hasFilename = plan.attachments.some((a) => hasNonAscii(a.name));
      if (!hasSubject && !hasName && !hasFilename) continue;
      const raw = mailbox.message(i).mime();
      // On the wire the headers are 7-bit: RFC 2047 encoded words and RFC 2231 parameters
      const headerBlock = raw.subarray(0, raw.indexOf("\r\n\r\n")).toString("latin1");
      expect(hasNonAscii(headerBlock)).toBe(false);
      const parsed = await parse(raw);
      if (hasSubject) seen.subject++;
      if (hasName) seen.name++;
      if (hasFilename) seen.filename++;
      if (parsed.text && hasNonAscii(parsed.text)) seen.body++;
      check(plan, parsed);
    }
    expect(seen.subject).toBeGreaterThan(5);
    expect(seen.name).toBeGreaterThan(5);
    expect(seen.filename).toBeGreaterThan(2);
    expect(seen.body).toBeGreaterThan(5);
  }, 60_000);

  it("has valid attachment payloads: PNG, PDF, ZIP-based Office files", async () => {
    const mailbox = tenant.mailboxes[tenant.users[0]!.userPrincipalName]!;
    const magic = new Map<string, string>();
    for (let i = 0; i < mailbox.messageCount && magic.size < 5; i++) {
      const parsed = await simpleParser(mailbox.message(i).mime());
      for (const a of parsed.attachments) {
        const ext = a.filename?.split(".").pop() ?? "";
        if (["png", "pdf", "zip", "docx", "xlsx"].includes(ext))
          magic.set(ext, a.content.subarray(0, 4).toString("latin1"));
        if (ext === "pdf") expect(a.content.subarray(-6).toString()).toBe("%%EOF\n");
      }
    }
    expect(Object.fromEntries(magic)).toEqual({
      png: "\x89PNG",
      pdf: "%PDF",
      zip: "PK\x03\x04",
      docx: "PK\x03\x04",
      xlsx: "PK\x03\x04",
    });
  }, 60_000);
});
