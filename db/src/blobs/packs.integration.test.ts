import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { BlobIntegrityError } from "./backend";
import { toBlobKey } from "./format";
import { FsBlobBackend } from "./fs-backend";
import { parsePackKey } from "./packs";
import { dbBlobIndex, insertBlobRow } from "./rows";
import { BlobStore, storageKeyFor } from "./store";

const FIXTURES = path.resolve(import.meta.dirname, "../../../../shared/fixtures/mime");

let t: TestDatabase;
let dir: string;
let backend: FsBlobBackend;
let store: BlobStore;
const key = toBlobKey(randomBytes(32));

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "coffer-packstore-"));
  backend = new FsBlobBackend(dir);
  store = new BlobStore({ backend, keys: [key], index: dbBlobIndex(t.db) });
});
afterEach(async () => {
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function packFiles(): Promise<Array<{ packId: string; size: number }>> {
  const out: Array<{ packId: string; size: number }> = [];
  for await (const p of backend.listPacks()) out.push(p);
  return out;
}

describe("BlobStore with packs", () => {
  it("packs every MIME fixture and reads each back byte-identical by sha256 alone", async () => {
    expect(store.isPackingSmallObjects).toBe(true);
    const lines = (await readFile(path.join(FIXTURES, "index.tsv"), "utf8")).trim().split("\n").slice(1);
    const rows = lines.map((l) => l.split("\t") as [string, string, string]);
    // Concurrent puts, as the sync engine makes them: they share pack syncs.
    const stored = await Promise.all(
      rows.map(async ([file]) => store.putBuffer(await readFile(path.join(FIXTURES, file)))),
    );
    for (const s of stored) await insertBlobRow(t.db, s);
    for (let i = 0; i < rows.length; i++) {
      const [file, bytes, expected] = rows[i]!;
      expect(stored[i], file).toMatchObject({ sha256: expected, size: Number(bytes), isNew: true });
      expect(parsePackKey(stored[i]!.storageKey), file).toBeDefined();
      const original = await readFile(path.join(FIXTURES, file));
      expect((await store.readBuffer(expected)).equals(original), file).toBe(true);
      expect((await drain(await store.getStream(expected))).equals(original), file).toBe(true);
    }
    expect(backend.packs.stats.syncs).toBeLessThan(rows.length);
    expect(await readdir(dir)).not.toContain("objects"); // nothing went one-file-per-object
  });

  it("finds stored content through the index and appends nothing for it", async () => {
    const bytes = randomBytes(20_000);
    const first = await store.putBuffer(bytes);
    await insertBlobRow(t.db, first);
    const [before] = await packFiles();
    const again = await store.putBuffer(Buffer.from(bytes));
    expect(again).toEqual({ ...first, isNew: false });
    expect((await packFiles())[0]!.size).toBe(before!.size);
    // Another process (its own backend and pack) finds it too: the index is the database.
    const other = new FsBlobBackend(dir);
    const otherStore = new BlobStore({ backend: other, keys: [key], index: dbBlobIndex(t.db) });
    expect(await otherStore.putBuffer(bytes)).toMatchObject({ isNew: false, storageKey: first.storageKey });
    expect(await otherStore.exists(first.sha256)).toBe(true);
    await other.close();
  });

  it("gives each of several lookups asked for at once its own row, or none", async () => {
    const stored = await Promise.all([randomBytes(3000), randomBytes(4000)].map((b) => store.putBuffer(b)));
    for (const s of stored) await insertBlobRow(t.db, s);
    const index = dbBlobIndex(t.db);
    const missing = randomBytes(32).toString("hex");
    const [a, b, none, aAgain] = await Promise.all([
      index.find(stored[0]!.sha256),
      index.find(stored[1]!.sha256),
      index.find(missing),
      index.find(stored[0]!.sha256),
    ]);
    expect(a?.storageKey).toBe(stored[0]!.storageKey);
    expect(b?.storageKey).toBe(stored[1]!.storageKey);
    expect(none).toBeUndefined();
    expect(aAgain).toEqual(a);
  });

  it("stores content again when its row is gone (a page whose row lost the race with the purge)", async () => {
    const bytes = randomBytes(5000);
    const first = await store.putBuffer(bytes);
    // No row was committed for `first`: its bytes are dead space, and a put writes a new copy.
    const second = await store.putBuffer(bytes);
    expect(second.isNew).toBe(true);
    expect(second.storageKey).not.toBe(first.storageKey);
    expect(
      (await store.readBuffer({ sha256: first.sha256, storageKey: second.storageKey })).equals(bytes),
    ).toBe(true);
  });

  it("reads objects written one file per object before packs, by sha256, and dedups against recorded ones", async () => {
    const legacy = new BlobStore({ backend, keys: [key] }); // no index: the old layout
    expect(legacy.isPackingSmallObjects).toBe(false);
    const recorded = await legacy.putBuffer(randomBytes(3000));
    const unrecorded = await legacy.putBuffer(randomBytes(3000));
    expect(recorded.storageKey).toBe(storageKeyFor(recorded.sha256));
    await insertBlobRow(t.db, recorded);
    const original = await legacy.readBuffer(unrecorded.sha256);
    for (const s of [recorded, unrecorded]) {
      expect((await store.readBuffer(s.sha256)).equals(await legacy.readBuffer(s.sha256))).toBe(true);
      expect((await drain(await store.getStream(s.sha256))).length).toBe(3000);
    }
    // Identical content is not stored again when a row records it (the index) …
    expect(await store.putBuffer(await legacy.readBuffer(recorded.sha256))).toMatchObject({
      isNew: false,
      storageKey: storageKeyFor(recorded.sha256),
    });
    expect(await packFiles()).toEqual([]);
    // … while a file no row records (purged, or left by a crash) is not looked for: a packed copy is written.
    const copy = await store.putBuffer(original);
    expect(copy.isNew).toBe(true);
    expect(parsePackKey(copy.storageKey)).toBeDefined();
    expect(
      (await store.readBuffer({ sha256: copy.sha256, storageKey: copy.storageKey })).equals(original),
    ).toBe(true);
  });

  it("keeps large streamed objects one file per object, deduplicated against packed copies", async () => {
    const small = randomBytes(1000);
    const packed = await store.putBuffer(small);
    await insertBlobRow(t.db, packed);
    const viaStream = await store.putStream([small]);
    expect(viaStream).toMatchObject({ isNew: false, storageKey: packed.storageKey });
    const big = randomBytes(2 * 1024 * 1024);
    const streamed = await store.putStream([big.subarray(0, 1 << 20), big.subarray(1 << 20)]);
    expect(streamed.storageKey).toBe(storageKeyFor(streamed.sha256));
    expect((await store.readBuffer(streamed.sha256)).equals(big)).toBe(true);
  });

  it("a torn pack tail fails only the cut object (BlobIntegrityError), never the others", async () => {
    const objects = Array.from({ length: 4 }, (_, i) => Buffer.from(`message ${i} `.repeat(500 + i)));
    const stored = [];
    for (const o of objects) stored.push(await store.putBuffer(o));
    for (const s of stored) await insertBlobRow(t.db, s);
    await backend.close();
    const last = parsePackKey(stored[3]!.storageKey)!;
    const file = backend.packPath(last.packId);
    // Cut inside the last object's ciphertext, then inside its header.
    for (const cut of [last.offset + last.length - 20, last.offset + 10]) {
      await truncate(file, cut);
      await expect(store.readBuffer(stored[3]!.sha256)).rejects.toBeInstanceOf(BlobIntegrityError);
      await expect(store.getStream(stored[3]!.sha256)).rejects.toBeInstanceOf(BlobIntegrityError);
      for (let i = 0; i < 3; i++) {
        expect((await store.readBuffer(stored[i]!.sha256)).equals(objects[i]!)).toBe(true);
        expect((await drain(await store.getStream(stored[i]!.sha256))).equals(objects[i]!)).toBe(true);
      }
    }
    expect((await stat(file)).size).toBe(last.offset + 10);
  });

  it("detects a packed object whose bytes were damaged (the GCM tag)", async () => {
    const bytes = Buffer.from("x".repeat(10_000));
    const s = await store.putBuffer(bytes);
    await insertBlobRow(t.db, s);
    await backend.close();
    const loc = parsePackKey(s.storageKey)!;
    const file = backend.packPath(loc.packId);
    const all = await readFile(file);
    all[loc.offset + loc.length - 5]! ^= 0xff;
    await writeFile(file, all);
    await expect(store.readBuffer(s.sha256)).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(drain(await store.getStream(s.sha256))).rejects.toBeInstanceOf(BlobIntegrityError);
  });
});
