import { createHash, randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdtemp, readdir, readFile, rm, stat, truncate, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BlobIntegrityError, BlobNotFoundError } from "./backend";
import { FsBlobBackend } from "./fs-backend";
import {
  PACK_HEADER_BYTES,
  PACK_MAGIC,
  type PackLocation,
  PackWriter,
  packKey,
  parsePackKey,
  RECORD_PREFIX_BYTES,
} from "./packs";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "coffer-packs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

async function readAll(backend: FsBlobBackend, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await backend.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A gate: `wait()` blocks until `open()`. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, wait: () => opened };
}

describe("pack keys", () => {
  it("round-trips a location and rejects anything else", () => {
    const loc = { packId: "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", offset: 44, length: 1234 };
    expect(parsePackKey(packKey(loc))).toEqual(loc);
    for (const bad of [`ab/cd/${"0".repeat(64)}`, "pack/x/1/2", "pack/../1/2", `pack/${loc.packId}/1`]) {
      expect(parsePackKey(bad), bad).toBeUndefined();
    }
  });
});

describe("PackWriter group commit", () => {
  it("resolves each append only after a sync that covers its bytes, and shares syncs between appends", async () => {
    const first = gate();
    let syncs = 0;
    let durableUpTo = 0;
    const writer = new PackWriter(path.join(dir, "packs"), {
      sync: async (handle: FileHandle) => {
        const size = (await handle.stat()).size;
        syncs++;
        // The first sync is held until every append is queued: they must then go in one more batch.
        if (syncs === 1) await first.wait();
        await handle.datasync();
        durableUpTo = size;
      },
    });
    const objects = Array.from({ length: 50 }, (_, i) => randomBytes(1000 + i));
    const resolved: PackLocation[] = [];
    const puts = objects.map((o) =>
      writer.append(sha(o), o).then((loc) => {
        // Resolved only when the bytes were covered by a completed sync.
        expect(loc.offset + loc.length).toBeLessThanOrEqual(durableUpTo);
        resolved.push(loc);
        return loc;
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(resolved).toEqual([]); // the first sync has not returned: nothing is acknowledged
    first.open();
    const locations = await Promise.all(puts);
    expect(syncs).toBe(2); // one for the first append, one shared by the 49 queued behind it
    expect(writer.stats).toMatchObject({ syncs: 2, batches: 2, objects: 50, packsCreated: 1 });
    await writer.close();

    const backend = new FsBlobBackend(dir);
    for (let i = 0; i < objects.length; i++) {
      expect((await readAll(backend, packKey(locations[i]!))).equals(objects[i]!)).toBe(true);
    }
  });

  it("writes a self-describing pack: header, then length + sha256 + object per record", async () => {
    const writer = new PackWriter(path.join(dir, "packs"));
    const a = Buffer.from("first object");
    const b = Buffer.from("second");
    const la = await writer.append(sha(a), a);
    const lb = await writer.append(sha(b), b);
    await writer.close();
    const file = new FsBlobBackend(dir).packPath(la.packId);
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 4).equals(PACK_MAGIC)).toBe(true);
    expect(la.offset).toBe(PACK_HEADER_BYTES + RECORD_PREFIX_BYTES);
    expect(bytes.readUInt32BE(la.offset - RECORD_PREFIX_BYTES)).toBe(a.length);
    expect(bytes.subarray(la.offset - 32, la.offset).toString("hex")).toBe(sha(a));
    expect(lb.offset).toBe(la.offset + a.length + RECORD_PREFIX_BYTES);
    expect(bytes.length).toBe(lb.offset + b.length);
  });

  it("starts a new pack at the size cap; every object stays readable", async () => {
    const backend = new FsBlobBackend(dir, { packs: { maxPackBytes: 10_000 } });
    const objects = Array.from({ length: 12 }, () => randomBytes(3000));
    const keys: string[] = [];
    for (const o of objects) keys.push(await backend.appendPacked(sha(o), o));
    const packIds = new Set(keys.map((k) => parsePackKey(k)!.packId));
    expect(packIds.size).toBeGreaterThanOrEqual(4);
    for (const id of packIds) expect((await stat(backend.packPath(id))).size).toBeLessThanOrEqual(10_000);
    for (let i = 0; i < objects.length; i++)
      expect((await readAll(backend, keys[i]!)).equals(objects[i]!)).toBe(true);
    await backend.close();
  });

  it("writes into a new pack when its pack was removed under it (nothing lands in an unlinked file)", async () => {
    const backend = new FsBlobBackend(dir);
    const a = randomBytes(500);
    const keyA = await backend.appendPacked(sha(a), a);
    await unlink(backend.packPath(parsePackKey(keyA)!.packId));
    const b = randomBytes(500);
    const keyB = await backend.appendPacked(sha(b), b);
    expect(parsePackKey(keyB)!.packId).not.toBe(parsePackKey(keyA)!.packId);
    expect((await readAll(backend, keyB)).equals(b)).toBe(true);
    await expect(backend.get(keyA)).rejects.toBeInstanceOf(BlobNotFoundError);
    await backend.close();
  });

  it("abandons a pack after a failed sync: the batch fails, the next one goes to a new pack", async () => {
    let fail = true;
    const backend = new FsBlobBackend(dir, {
      packs: {
        sync: async (h) => {
          if (fail) throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
          await h.datasync();
        },
      },
    });
    const a = randomBytes(100);
    await expect(backend.appendPacked(sha(a), a)).rejects.toThrow(/EIO/);
    fail = false;
    const key = await backend.appendPacked(sha(a), a);
    expect((await readAll(backend, key)).equals(a)).toBe(true);
    const packs: string[] = [];
    for await (const p of backend.listPacks()) packs.push(p.packId);
    expect(packs).toHaveLength(2);
    await backend.close();
  });
});

describe("torn pack tail", () => {
  it("fails only the objects the truncation cut, with BlobIntegrityError", async () => {
    const backend = new FsBlobBackend(dir);
    const objects = Array.from({ length: 3 }, () => randomBytes(2000));
    const keys: string[] = [];
    for (const o of objects) keys.push(await backend.appendPacked(sha(o), o));
    await backend.close();
    const last = parsePackKey(keys[2]!)!;
    await truncate(backend.packPath(last.packId), last.offset + 700);
    await expect(backend.get(keys[2]!)).rejects.toBeInstanceOf(BlobIntegrityError);
    expect(await backend.exists(keys[2]!)).toBe(false);
    for (let i = 0; i < 2; i++) expect((await readAll(backend, keys[i]!)).equals(objects[i]!)).toBe(true);
    expect(await readdir(path.join(dir, "packs"))).toHaveLength(1);
  });
});
