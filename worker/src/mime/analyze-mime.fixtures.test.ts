import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mimeFixturesDir } from "../sync/testing/fixtures";
import type { TMimeAnalysis } from "./analyze-mime";
import { analyzeInChunks as analyze } from "./testing";

const FIXTURES = mimeFixturesDir();
const fixtures = readFileSync(`${FIXTURES}index.tsv`, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t")[0]!);

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 16);

/** What the golden file pins per fixture: every field, the body as length + hash + its first words. */
function summary(r: TMimeAnalysis) {
  const m = r.metadata;
  const addr = (a: { name: string; address: string }) => (a.name ? `${a.name} <${a.address}>` : a.address);
  return {
    subject: m.subject,
    messageId: m.internetMessageId,
    conversationId: m.conversationId,
    inReplyTo: m.inReplyTo,
    from: m.from ? addr(m.from) : null,
    to: m.to.map(addr),
    cc: m.cc.map(addr),
    bcc: m.bcc.map(addr),
    replyTo: m.replyTo.map(addr),
    sentAt: m.sentAt?.toISOString() ?? null,
    hasAttachments: m.hasAttachments,
    attachments: m.attachments.map(
      (a) => `${a.name}|${a.contentType}|${a.size}|${a.isInline ? "inline" : "attachment"}`,
    ),
    body: `${m.bodyText.length}:${sha(m.bodyText)}:${m.bodyText.slice(0, 60)}`,
    isBodyTruncated: m.isBodyTruncated,
    parseError: r.parseError,
  };
}

describe("MIME analysis of the 299 fixtures", () => {
  it("matches the golden metadata (MailParser's, but for the differences listed in analyze-mime.ts)", async () => {
    const out: Record<string, ReturnType<typeof summary>> = {};
    for (const path of fixtures) out[path] = summary(await analyze(readFileSync(FIXTURES + path), 65_536));
    // Review a change with `git diff` after `npx vitest run --project unit worker/src/mime -u`.
    // One line per fixture (path, tab, JSON) keeps a change readable; .txt so that no formatter rewrites it.
    const lines = Object.entries(out).map(([k, v]) => `${k}\t${JSON.stringify(v)}\n`);
    await expect(lines.join("")).toMatchFileSnapshot("./fixtures.golden.txt");
  }, 120_000);

  it("gives the same result whatever the size of the writes (seams of base64, QP, headers, boundaries)", async () => {
    for (const path of fixtures) {
      const bytes = readFileSync(FIXTURES + path);
      const whole = await analyze(bytes, bytes.length || 1);
      const small = await analyze(bytes, 61);
      expect(small, path).toEqual(whole);
    }
  }, 300_000);
});

describe("bodies handed past the splitter", () => {
  // Every leaf body handed over (longBody 1) or none (Infinity): the splitter alone is the reference.
  const everyBody = { longBody: 1 };
  const noBody = { longBody: Number.POSITIVE_INFINITY };

  it("gives what the splitter alone gives, on every fixture and at any write size", async () => {
    for (const path of fixtures) {
      const bytes = readFileSync(FIXTURES + path);
      const reference = await analyze(bytes, bytes.length || 1, noBody);
      expect(await analyze(bytes, bytes.length || 1, everyBody), path).toEqual(reference);
      expect(await analyze(bytes, 61, everyBody), path).toEqual(reference);
      expect(await analyze(bytes, 4096, everyBody), path).toEqual(reference);
    }
  }, 300_000);

  it("keeps delimiter look-alikes, bare CRs, empty lines before delimiters and unterminated ends exact", async () => {
    const long = (line: string, n: number) =>
      Array.from({ length: n }, (_, i) => `${line} ${i}`).join("\r\n");
    const cases = [
      // A signature separator and dashes inside a long text part, then a real delimiter after empty lines.
      `Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n${long("text", 300)}\r\n-- \r\nsig\r\n---- not a delimiter\r\n--b1x\r\n\r\n\r\n\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${long("QUJD", 400)}\r\n\r\n--b1--\r\n`,
      // LF only, a delimiter preceded by a lone CR line start, and a body without a final line break.
      `Content-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\n${long("lf", 300).replace(/\r\n/g, "\n")}\n\r--zz\nContent-Type: text/html\n\n<p>${long("html", 300)}</p>`,
      // An attachment without a single line break (kept whole by neither the feeder nor the splitter).
      `Content-Type: multipart/mixed; boundary=nl\r\n\r\n--nl\r\nContent-Type: application/octet-stream\r\n\r\n${"A".repeat(400_000)}\r\n--nl--\r\n`,
      // A single-part message whose body is long and ends in empty lines.
      `Subject: one part\r\nContent-Type: text/plain\r\n\r\n${long("only", 500)}\r\n\r\n\r\n`,
      // Nested multiparts, the inner part's delimiter inside an outer part's long body.
      `Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/plain\r\n\r\n${long("alt", 200)}\r\n--inner--\r\n--outer\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\n${long("--outer-ish", 200)}\r\n--outer--\r\n`,
    ];
    for (const [i, text] of cases.entries()) {
      const bytes = Buffer.from(text, "latin1");
      const { metadata } = await analyze(bytes, bytes.length, noBody);
      // Each case has a long body: its text, or an attachment's size.
      expect(Math.max(metadata.bodyText.length, ...metadata.attachments.map((a) => a.size))).toBeGreaterThan(
        1000,
      );
      for (const size of [bytes.length, 4096, 1000, 77, 3]) {
        // The same writes as the reference: mailsplit itself reads a lone CR before a delimiter differently
        // when a write ends between the two (case 1 with 3-byte writes), and that is kept as it is.
        const reference = await analyze(bytes, size, noBody);
        expect(await analyze(bytes, size, everyBody), `case ${i}, writes of ${size}`).toEqual(reference);
        expect(await analyze(bytes, size), `case ${i}, writes of ${size}`).toEqual(reference);
      }
    }
  }, 120_000);
});
