import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mimeFixturesDir } from "../sync/testing/fixtures";
import { createMimeAnalyzer } from "./analyze-mime";

const FIXTURES = mimeFixturesDir();
const fixtures = readFileSync(`${FIXTURES}index.tsv`, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t")[0]!);

async function analyze(bytes: Buffer, chunk = 4096) {
  const a = createMimeAnalyzer();
  for (let i = 0; i < bytes.length; i += chunk) {
    if (!a.writable.write(bytes.subarray(i, i + chunk)))
      await new Promise((r) => a.writable.once("drain", r));
  }
  a.writable.end();
  return a.result;
}

describe("streaming MIME analysis", () => {
  it("never throws on any of the 299 fixtures, whatever their shape", async () => {
    let flagged = 0;
    for (const path of fixtures) {
      const r = await analyze(readFileSync(FIXTURES + path), 65_536);
      if (r.parseError) flagged++;
    }
    // Only the few that carry no header field at all are flagged; the rest is read as well as it can be.
    expect(flagged).toBeLessThan(10);
  }, 60_000);

  it("extracts addresses, attachments (names and sizes, content discarded) and body text", async () => {
    const pdf = Buffer.alloc(30_000, 7);
    const mime = [
      'From: "Ann Lee" <Ann@Example.com>',
      "To: Bob <bob@example.com>, team: carl@example.com, dora@example.com;",
      "Cc: eve@example.com",
      "Subject: =?UTF-8?B?R3LDvMOfZQ==?=",
      "Date: Tue, 03 Nov 2026 10:00:00 +0100",
      "Message-ID: <id1@example.com>",
      "References: <root@example.com> <mid@example.com>",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/html; charset=utf-8",
      "",
      "<p>Hello <b>world</b></p>",
      "--b",
      'Content-Type: application/pdf; name="a.pdf"',
      "Content-Disposition: attachment; filename=a.pdf",
      "Content-Transfer-Encoding: base64",
      "",
      pdf.toString("base64"),
      "--b--",
      "",
    ].join("\r\n");
    const { metadata: m, parseError } = await analyze(Buffer.from(mime), 100);
    expect(parseError).toBeNull();
    expect(m).toMatchObject({
      subject: "Grüße",
      internetMessageId: "<id1@example.com>",
      conversationId: "<root@example.com>",
      from: { name: "Ann Lee", address: "ann@example.com" },
      cc: [{ name: "", address: "eve@example.com" }],
      hasAttachments: true,
      attachments: [{ name: "a.pdf", size: 30_000, contentType: "application/pdf", isInline: false }],
    });
    expect(m.to.map((a) => a.address)).toEqual(["bob@example.com", "carl@example.com", "dora@example.com"]);
    expect(m.bodyText).toContain("Hello world");
    expect(m.sentAt?.toISOString()).toBe("2026-11-03T09:00:00.000Z");
  });

  it("flags what is not a message at all", async () => {
    const r = await analyze(Buffer.from("\u0000\u0001binary junk without headers"));
    expect(r.parseError).toMatch(/not an RFC 5322 message/);
  });
});
