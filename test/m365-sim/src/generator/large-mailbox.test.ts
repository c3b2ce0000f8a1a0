import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { generateLargeMailbox, largeMessageStream } from "./index";

/**
 * The benchmark mailbox must stay lazy: building it allocates a few small structures whatever the
 * message count, and message i is built alone. Durations are printed, not asserted.
 */

function heapAfterGc(): number {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function drain(
  stream: NodeJS.ReadableStream,
): Promise<{ bytes: number; sha256: string; largestChunk: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  let largestChunk = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    bytes += buffer.length;
    largestChunk = Math.max(largestChunk, buffer.length);
  }
  return { bytes, sha256: hash.digest("hex"), largestChunk };
}

/** Checks the ZIP's end-of-central-directory record and the stored entry's CRC-32. */
function checkZip(zip: Buffer): void {
  const eocd = zip.length - 22;
  expect(zip.readUInt32LE(eocd)).toBe(0x06054b50);
  const central = zip.readUInt32LE(eocd + 16);
  expect(zip.readUInt32LE(central)).toBe(0x02014b50);
  const crc = zip.readUInt32LE(central + 16);
  const size = zip.readUInt32LE(central + 20);
  const nameLength = zip.readUInt16LE(26);
  const data = zip.subarray(30 + nameLength, 30 + nameLength + size);
  expect(crc32(data)).toBe(crc);
}

describe("large mailbox", () => {
  it("does not materialise 100,000 (or 10,000,000) messages", () => {
    const before = heapAfterGc();
    const started = performance.now();
    const { user, mailbox } = generateLargeMailbox({
      seed: 1,
      messages: 100_000,
      hugeMessageBytes: 100 * 1024 * 1024,
    });
    const huge = generateLargeMailbox({ seed: 1, messages: 10_000_000 });
    console.log(`generateLargeMailbox(100,000 + 10,000,000): ${(performance.now() - started).toFixed(1)} ms`);
    // A few MB at most: anything kept per message would take hundreds of MB for 10,000,000
    expect(heapAfterGc() - before).toBeLessThan(32 * 1024 * 1024);
    expect(user.licensed).toBe(true);
    expect(mailbox.messageCount).toBe(100_000);
    expect(huge.mailbox.messageCount).toBe(10_000_000);
    const last = huge.mailbox.message(9_999_999);
    expect(mailbox.folders).toContain(last.folderPath);
    expect(last.mime().length).toBeGreaterThan(300);
  });

  it("builds the huge message with exactly the requested size, as a stream and as one Buffer", async () => {
    const bytes = 2 * 1024 * 1024 + 17;
    const { mailbox } = generateLargeMailbox({ seed: 4, messages: 1000, hugeMessageBytes: bytes });
    const message = mailbox.message(0);
    const buffer = message.mime();
    expect(buffer.length).toBe(bytes);
    const streamed = await drain(message.stream!());
    expect(streamed.bytes).toBe(bytes);
    expect(streamed.sha256).toBe(createHash("sha256").update(buffer).digest("hex"));
    // the same bytes without a mailbox around it
    expect((await drain(largeMessageStream({ seed: 4, hugeMessageBytes: bytes }))).sha256).toBe(
      streamed.sha256,
    );

    const parsed = await simpleParser(buffer);
    expect(parsed.subject).toBe("Disk image export (large)");
    const [zip] = parsed.attachments;
    expect(zip!.contentType).toBe("application/zip");
    checkZip(zip!.content);
    // Other messages of the mailbox are ordinary
    expect(mailbox.message(1).mime().length).toBeLessThan(bytes);
  }, 30_000);

  it("streams a 100 MB message in chunks of at most about 1.4 MB", async () => {
    const bytes = 100 * 1024 * 1024;
    const started = performance.now();
    const result = await drain(largeMessageStream({ seed: 1, hugeMessageBytes: bytes }));
    console.log(
      `100 MiB huge message streamed in ${(performance.now() - started).toFixed(0)} ms, largest chunk ${result.largestChunk} bytes`,
    );
    expect(result.bytes).toBe(bytes);
    expect(result.largestChunk).toBeLessThan(1.5 * 1024 * 1024);
  }, 60_000);
});
