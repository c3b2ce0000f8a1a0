import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, open, readdir, readFile, rm, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobNotFoundError } from "./backend";
import { toBlobKey } from "./format";
import { FsBlobBackend } from "./fs-backend";
import { BlobIntegrityError, BlobKeyError, BlobStore, storageKeyFor } from "./store";

const FIXTURES = path.resolve(import.meta.dirname, "../../../../shared/fixtures/mime");

let dir: string;
let backend: FsBlobBackend;
let store: BlobStore;
const key = toBlobKey(randomBytes(32));

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "coffer-blobs-"));
  backend = new FsBlobBackend(dir);
  store = new BlobStore({ backend, keys: [key] });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function listKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of backend.list()) keys.push(o.key);
  return keys.sort();
}

/** Reads a stream to the end, returning what arrived and how it ended. */
async function drain(stream: Readable): Promise<{ bytes: number; ended: boolean; error?: Error }> {
  let bytes = 0;
  let ended = false;
  stream.on("end", () => {
    ended = true;
  });
  try {
    for await (const chunk of stream) bytes += (chunk as Buffer).length;
    return { bytes, ended };
  } catch (error) {
    return { bytes, ended, error: error as Error };
  }
}

describe("BlobStore round trip", () => {
  it("returns every MIME fixture byte-identical, addressed by the sha256 of index.tsv", async () => {
    const lines = (await readFile(path.join(FIXTURES, "index.tsv"), "utf8")).trim().split("\n").slice(1);
    expect(lines.length).toBeGreaterThan(250);
    for (const line of lines) {
      const [file, bytes, expected] = line.split("\t") as [string, string, string];
      const stored = await store.putStream(createReadStream(path.join(FIXTURES, file)));
      expect(stored, file).toMatchObject({ sha256: expected, size: Number(bytes), keyId: key.id });
      const original = await readFile(path.join(FIXTURES, file));
      const back = await store.readBuffer(expected);
      expect(sha256(back), file).toBe(expected);
      expect(back.equals(original), file).toBe(true);
      const streamed: Buffer[] = [];
      for await (const chunk of await store.getStream(expected)) streamed.push(chunk as Buffer);
      expect(Buffer.concat(streamed).equals(original), file).toBe(true);
    }
  }, 60_000);

  it("stores the empty blob", async () => {
    const stored = await store.putBuffer(new Uint8Array(0));
    expect(stored.sha256).toBe(sha256(new Uint8Array(0)));
    expect(await store.readBuffer(stored.sha256)).toEqual(Buffer.alloc(0));
  });

  it("writes objects that are neither the plaintext nor readable without the key", async () => {
    const text = Buffer.from("Subject: secret\r\n\r\nThe quarterly numbers are in.\r\n".repeat(50));
    const stored = await store.putBuffer(text);
    const raw = await readFile(backend.objectPath(stored.storageKey));
    expect(raw.subarray(0, 4).toString()).toBe("CFBL");
    expect(raw.includes(Buffer.from("quarterly"))).toBe(false);
    expect(stored.storedSize).toBe(raw.length);
    expect(stored.storageKey).toBe(
      `${stored.sha256.slice(0, 2)}/${stored.sha256.slice(2, 4)}/${stored.sha256}`,
    );
    expect(stored.storedSize).toBeLessThan(text.length); // compressed
  });

  it("supports gzip and no compression too (recorded per object)", async () => {
    const bytes = randomBytes(10_000);
    const gzip = new BlobStore({ backend, keys: [key], compression: "gzip" });
    const stored = await gzip.putBuffer(bytes);
    const raw = await readFile(backend.objectPath(stored.storageKey));
    expect(raw[5]).toBe(1);
    // A store configured for brotli reads it: compression comes from the object's header.
    expect((await store.readBuffer(stored.sha256)).equals(bytes)).toBe(true);
    const none = new BlobStore({ backend, keys: [key], compression: "none" });
    const other = await none.putBuffer(randomBytes(1000));
    expect((await store.readBuffer(other.sha256)).length).toBe(1000);
  });
});

describe("BlobStore dedup", () => {
  it("stores the same bytes once, whether given as a stream or a buffer", async () => {
    const bytes = randomBytes(200_000);
    const first = await store.putStream(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    const second = await store.putStream(Readable.from([bytes]));
    const third = await store.putBuffer(bytes);
    expect(first.isNew).toBe(true);
    expect(second).toEqual({ ...first, isNew: false });
    expect(third).toEqual({ ...first, isNew: false });
    expect(await listKeys()).toEqual([first.storageKey]);
    expect(await readdir(backend.stagingDir)).toEqual([]);
  });

  it("lets concurrent writers of the same content race: one object, one isNew", async () => {
    const bytes = randomBytes(500_000);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => store.putStream(Readable.from([bytes]))),
    );
    expect(results.filter((r) => r.isNew)).toHaveLength(1);
    expect(new Set(results.map((r) => r.storedSize)).size).toBe(1);
    expect(await listKeys()).toEqual([storageKeyFor(sha256(bytes))]);
    expect((await store.readBuffer(sha256(bytes))).equals(bytes)).toBe(true);
  });

  it("reports the existing object's key id after a key rotation", async () => {
    const bytes = randomBytes(5000);
    await store.putBuffer(bytes);
    const rotated = new BlobStore({ backend, keys: [toBlobKey(randomBytes(32)), key] });
    const again = await rotated.putStream(Readable.from([bytes]));
    expect(again).toMatchObject({ isNew: false, keyId: key.id });
    expect((await rotated.readBuffer(again.sha256)).equals(bytes)).toBe(true);
  });
});

describe("BlobStore integrity", () => {
  async function storeLarge(): Promise<{ sha: string; file: string; size: number }> {
    // Incompressible, so the stored object is as large as the content and spans many read chunks.
    const bytes = randomBytes(3 * 1024 * 1024);
    const stored = await store.putBuffer(bytes);
    return { sha: stored.sha256, file: backend.objectPath(stored.storageKey), size: stored.storedSize };
  }

  async function flipByte(file: string, offset: number): Promise<void> {
    const handle = await open(file, "r+");
    try {
      const b = Buffer.alloc(1);
      await handle.read(b, 0, 1, offset);
      b[0] = b[0]! ^ 0x01;
      await handle.write(b, 0, 1, offset);
    } finally {
      await handle.close();
    }
  }

  it("errors instead of ending when a byte of the ciphertext is corrupted", async () => {
    const { sha, file, size } = await storeLarge();
    await flipByte(file, Math.floor(size / 2));
    const result = await drain(await store.getStream(sha));
    expect(result.error).toBeInstanceOf(BlobIntegrityError);
    expect(result.ended).toBe(false);
    // Streaming means bytes before the corrupt spot were delivered — and then the error, never `end`.
    expect(result.bytes).toBeGreaterThan(0);
    await expect(pipeline(await store.getStream(sha), devNull())).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(store.readBuffer(sha)).rejects.toThrow(/failed authentication|corrupt/);
  });

  it("errors when the tag is corrupted, or the object is truncated", async () => {
    const { sha, file, size } = await storeLarge();
    await flipByte(file, size - 3);
    await expect(store.readBuffer(sha)).rejects.toThrow(/failed authentication/);
    await flipByte(file, size - 3);
    expect((await store.readBuffer(sha)).length).toBe(3 * 1024 * 1024); // restored: reads again
    await truncate(file, size - 1000);
    const result = await drain(await store.getStream(sha));
    expect(result.error).toBeInstanceOf(BlobIntegrityError);
    expect(result.ended).toBe(false);
  });

  it("errors when the header is modified (it is authenticated too)", async () => {
    const stored = await store.putBuffer(Buffer.from("hello ".repeat(1000)));
    const file = backend.objectPath(stored.storageKey);
    await flipByte(file, 7 + key.id.length + 3); // a byte of the salt
    await expect(store.readBuffer(stored.sha256)).rejects.toBeInstanceOf(BlobIntegrityError);
  });

  it("errors when an object sits under the wrong address", async () => {
    const a = await store.putBuffer(Buffer.from("message A"));
    const b = await store.putBuffer(Buffer.from("message B"));
    // A valid object, but for other content: the sha256 check catches it.
    await backend.delete(b.storageKey);
    await backend.put(b.storageKey, createReadStream(backend.objectPath(a.storageKey)));
    await expect(store.readBuffer(b.sha256)).rejects.toThrow(/decoded to different bytes/);
  });

  it("refuses an object written with a key that is not configured, naming the key", async () => {
    const stored = await store.putBuffer(randomBytes(1000));
    const other = new BlobStore({ backend, keys: [toBlobKey(randomBytes(32))] });
    await expect(other.getStream(stored.sha256)).rejects.toBeInstanceOf(BlobKeyError);
    await expect(other.readBuffer(stored.sha256)).rejects.toThrow(key.id);
  });

  it("fails authentication when a different key is given the same id", async () => {
    const stored = await store.putBuffer(randomBytes(1000));
    const impostor = new BlobStore({ backend, keys: [{ id: key.id, key: randomBytes(32) }] });
    await expect(impostor.readBuffer(stored.sha256)).rejects.toBeInstanceOf(BlobIntegrityError);
  });

  it("rejects a missing blob with BlobNotFoundError", async () => {
    await expect(store.getStream("0".repeat(64))).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});

describe("BlobStore writes", () => {
  it("leaves nothing behind when the source fails mid-stream", async () => {
    async function* failing() {
      yield randomBytes(100_000);
      throw new Error("connection reset");
    }
    await expect(store.putStream(failing())).rejects.toThrow("connection reset");
    expect(await listKeys()).toEqual([]);
    expect(await readdir(backend.stagingDir)).toEqual([]);
  });

  it("refuses string chunks (the original bytes must be bytes)", async () => {
    await expect(store.putStream(Readable.from(["text"], { objectMode: true }))).rejects.toThrow(TypeError);
  });

  it("closes the object file when the consumer stops reading early", async () => {
    const stored = await store.putBuffer(randomBytes(2 * 1024 * 1024));
    const stream = await store.getStream(stored.sha256);
    for await (const _ of stream) break; // destroys the stream
    // The store can still delete and rewrite the object; nothing holds it.
    expect(await store.delete(stored.sha256)).toBe(true);
    expect(await store.exists(stored.sha256)).toBe(false);
  });

  it("sweeps staged files left by a crash", async () => {
    const staged = await backend.stage();
    staged.writable.write(Buffer.from("partial"));
    await new Promise((resolve) => staged.writable.end(resolve));
    expect((await readdir(backend.stagingDir)).length).toBe(1);
    expect(await backend.sweepStaging(new Date(Date.now() - 60_000))).toBe(0);
    expect(await backend.sweepStaging(new Date(Date.now() + 1000))).toBe(1);
    expect(await readdir(backend.stagingDir)).toEqual([]);
  });
});

describe("BlobStore large streams", () => {
  it("round-trips a 100 MB stream without holding it in memory", async () => {
    const total = 100 * 1024 * 1024;
    const chunk = 64 * 1024;
    const text = Buffer.from(
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(1200),
    ).subarray(0, chunk);
    const inHash = createHash("sha256");
    // Half compressible text, half random: exercises both compression paths; generated lazily.
    async function* generate() {
      for (let i = 0; i * chunk < total; i++) {
        const part = i % 2 === 0 ? text : randomBytes(chunk);
        inHash.update(part);
        yield part;
      }
    }

    // RSS sampled while the blob goes through; printed, not asserted (the figure depends on the machine).
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 5);
    let t = performance.now();
    const stored = await store.putStream(generate());
    const writeMs = performance.now() - t;
    expect(stored.sha256).toBe(inHash.digest("hex"));
    expect(stored.size).toBe(total);
    expect((await stat(backend.objectPath(stored.storageKey))).size).toBe(stored.storedSize);

    t = performance.now();
    const outHash = createHash("sha256");
    let outBytes = 0;
    await pipeline(
      await store.getStream(stored.sha256),
      new Writable({
        write(c: Buffer, _e, cb) {
          outHash.update(c);
          outBytes += c.length;
          cb();
        },
      }),
    );
    const readMs = performance.now() - t;
    expect(outBytes).toBe(total);
    expect(outHash.digest("hex")).toBe(stored.sha256);

    clearInterval(sampler);
    const peakGrowth = rssPeak - rssBefore;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      `[blob store] 100 MB: write ${mb((total / writeMs) * 1000)} MB/s, read ${mb((total / readMs) * 1000)} MB/s, ` +
        `stored ${mb(stored.storedSize)} MB, peak RSS growth ${mb(peakGrowth)} MB (RSS before ${mb(rssBefore)} MB)`,
    );
  }, 120_000);
});

function devNull(): Writable {
  return new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
}
