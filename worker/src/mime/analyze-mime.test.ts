import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mimeFixturesDir } from "../sync/testing/fixtures";
import { createMimeAnalyzer, MAX_PARSE_BYTES } from "./analyze-mime";
import { analyzeInChunks as analyze } from "./testing";

const FIXTURES = mimeFixturesDir();
const fixtures = readFileSync(`${FIXTURES}index.tsv`, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t")[0]!);

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

function withAttachment(cte: string, body: string): Buffer {
  return Buffer.from(
    [
      "From: a@example.com",
      "Subject: sizes",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "hello",
      "--b",
      'Content-Type: application/octet-stream; name="x.bin"',
      `Content-Transfer-Encoding: ${cte}`,
      "",
      body,
      "--b--",
      "",
    ].join("\r\n"),
    "latin1",
  );
}

describe("attachment sizes without decoding", () => {
  const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 256));

  it("counts base64 as libbase64 decodes it: per-line padding, stray spaces, '-' and '_' skipped", async () => {
    const perLine = [];
    for (let i = 0; i < data.length; i += 50) perLine.push(data.subarray(i, i + 50).toString("base64"));
    const plain = data.toString("base64").replace(/.{76}/g, "$&\r\n");
    const junk = plain.replace(/(.{40})/g, "$1 -_\t");
    for (const body of [plain, perLine.join("\r\n"), junk, plain.replace(/\r\n/g, "\n")]) {
      for (const chunk of [1 << 20, 333, 7]) {
        const { metadata } = await analyze(withAttachment("base64", body), chunk);
        expect(metadata.attachments[0]?.size, `${body.slice(0, 20)} / ${chunk}`).toBe(data.length);
      }
    }
  });

  it("counts quoted-printable exactly across write seams (soft breaks, escapes, trailing blanks)", async () => {
    const text = Buffer.from("Zeile mit Umlauten äöü = und Tabs\t \r\n".repeat(300), "utf8");
    let qp = "";
    for (const b of text) {
      qp +=
        b >= 33 && b <= 126 && b !== 61
          ? String.fromCharCode(b)
          : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    // Soft line breaks every 70 characters, never inside an escape, some with blanks after the "=".
    const lines = qp.match(/(?:=[0-9A-F]{2}|[^=]){1,70}/g) ?? [];
    const body = lines.map((l, i) => (i % 3 ? `${l}=` : `${l}= \t`)).join("\r\n");
    for (const chunk of [1 << 20, 1000, 13, 1]) {
      const { metadata } = await analyze(withAttachment("quoted-printable", body), chunk);
      expect(metadata.attachments[0]?.size, String(chunk)).toBe(text.length);
    }
  });
});

describe("large and broken input", () => {
  it("streams a 100 MB message with bounded memory and lists it from its first 64 MB", async () => {
    const head = [
      "From: big@example.com",
      "Subject: big",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "searchable words before the huge part",
      "--b",
      'Content-Type: application/zip; name="big.zip"',
      "Content-Transfer-Encoding: base64",
      "",
      "",
    ].join("\r\n");
    const line = `${"QUJD".repeat(19)}\r\n`; // 76 digits = 57 bytes per line
    const block = Buffer.from(line.repeat(8192));
    const a = createMimeAnalyzer();
    const before = process.memoryUsage();
    let peak = 0;
    a.writable.write(Buffer.from(head));
    let written = head.length;
    while (written < 100 * 1024 * 1024) {
      if (!a.writable.write(block)) await new Promise((r) => a.writable.once("drain", r));
      written += block.length;
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }
    a.writable.end(Buffer.from("\r\n--b--\r\n"));
    const { metadata: m, parseError } = await a.result;
    expect(parseError).toBeNull();
    expect(m.isPartiallyParsed).toBe(true);
    expect(m.bodyText).toBe("searchable words before the huge part");
    const digits = MAX_PARSE_BYTES - head.length;
    // Counted up to the 64 MB cut (the last line may be cut in the middle).
    expect(m.attachments[0]?.size).toBeGreaterThan(Math.floor((digits * 57) / 78) - 57);
    expect(m.attachments[0]?.size).toBeLessThanOrEqual(Math.floor((digits * 57) / 78) + 57);
    // Nothing of the attachment is kept: far below the message size (generous for GC timing).
    expect(peak).toBeLessThan(48 * 1024 * 1024);
  }, 120_000);

  it("reports a splitter limit (too many parts) and still takes the rest of the bytes", async () => {
    const parts = Array.from(
      { length: 1100 },
      (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`,
    );
    const mime = `From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts.join("")}--b--\r\n`;
    const r = await analyze(Buffer.from(mime.repeat(3)), 1000);
    expect(r.parseError).toMatch(/child nodes/);
    expect(r.metadata.from?.address).toBe("a@example.com");
  });
});
