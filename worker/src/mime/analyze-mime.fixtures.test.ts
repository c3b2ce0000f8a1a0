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
