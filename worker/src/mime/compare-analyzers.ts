// Diffs the MIME analyser against a reference over the fixture corpus and generated mail.
//   npx tsx worker/src/mime/compare-analyzers.ts --ref <module> [--gen /tmp/micro-msgs-2000.bin] [--chunk <n>]
// --chunk <n> writes n bytes at a time into the new analyser. <module> exports createMimeAnalyzer, e.g. the
// MailParser-based analyser: `git show 3b8d5aa:worker/src/mime/analyze-mime.ts > worker/src/mime/analyze-mime-mailparser.ts`
// (a scratch file, not committed) and `--ref worker/src/mime/analyze-mime-mailparser.ts`. Prints every field that
// differs, per message, and a count per field.
//
// Differences from MailParser found on the 299 fixtures and 2,000 generated messages (all deliberate):
// - a Date header that is not a date: MailParser gives the time of parsing, we give null (james-mime4j/
//   obsolete.msg, mikel-mail/plain_emails/raw_email_with_bad_date.eml); the same for an embedded message's
//   Date line in the body text;
// - an attachment with an empty type ("Content-Type: ; name=facejj.jpg"): MailParser lists contentType
//   `false`, we guess from the file name (image/jpeg), as for a missing Content-Type (flanker/spam/broken-ctype.eml).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { mimeFixturesDir } from "../sync/testing/fixtures";
import { createMimeAnalyzer, type TMimeAnalysis } from "./analyze-mime";

type TAnalyzer = typeof createMimeAnalyzer;

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const refPath = opt("--ref");
const genPath = opt("--gen");
/** Bytes per write into the new analyser (the reference always gets 64 KB): small ones test the seams. */
const chunkSize = Number(opt("--chunk") ?? 65_536);
if (!refPath) throw new Error("--ref <module exporting createMimeAnalyzer> is required");
const ref = (await import(path.resolve(refPath))) as { createMimeAnalyzer: TAnalyzer };

async function run(create: TAnalyzer, bytes: Buffer, chunk = 65_536): Promise<TMimeAnalysis> {
  const a = create();
  for (let i = 0; i < bytes.length; i += chunk) {
    if (!a.writable.write(bytes.subarray(i, i + chunk)))
      await new Promise((r) => a.writable.once("drain", r));
  }
  a.writable.end();
  return a.result;
}

function flat(r: TMimeAnalysis): Record<string, string> {
  const m = r.metadata;
  return {
    subject: m.subject,
    internetMessageId: String(m.internetMessageId),
    conversationId: String(m.conversationId),
    inReplyTo: String(m.inReplyTo),
    from: JSON.stringify(m.from),
    to: JSON.stringify(m.to),
    cc: JSON.stringify(m.cc),
    bcc: JSON.stringify(m.bcc),
    replyTo: JSON.stringify(m.replyTo),
    sentAt: m.sentAt ? m.sentAt.toISOString() : "null",
    hasAttachments: String(m.hasAttachments),
    attachments: JSON.stringify(m.attachments),
    bodyText: m.bodyText,
    isBodyTruncated: String(m.isBodyTruncated),
    isPartiallyParsed: String(m.isPartiallyParsed),
    parseError: String(r.parseError),
  };
}

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…(${s.length})` : s);
const counts: Record<string, number> = {};
let compared = 0;
async function compare(label: string, bytes: Buffer) {
  const [a, b] = [
    flat(await run(ref.createMimeAnalyzer, bytes)),
    flat(await run(createMimeAnalyzer, bytes, chunkSize)),
  ];
  compared++;
  for (const k of Object.keys(a)) {
    if (a[k] === b[k]) continue;
    counts[k] = (counts[k] ?? 0) + 1;
    console.log(`${label} ${k}\n  ref: ${clip(JSON.stringify(a[k]))}\n  new: ${clip(JSON.stringify(b[k]))}`);
  }
}

const dir = mimeFixturesDir();
for (const line of readFileSync(`${dir}index.tsv`, "utf8").trim().split("\n").slice(1)) {
  const p = line.split("\t")[0]!;
  await compare(p, readFileSync(dir + p));
}
if (genPath && existsSync(genPath)) {
  const all = readFileSync(genPath);
  for (let o = 0, i = 0; o < all.length; i++) {
    const n = all.readUInt32LE(o);
    await compare(`gen#${i}`, all.subarray(o + 4, o + 4 + n));
    o += 4 + n;
  }
}
console.log(`${compared} messages compared; differing fields:`, counts);
