import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toBlobKey } from "../blobs/format";
import { FsBlobBackend } from "../blobs/fs-backend";
import { parsePackKey } from "../blobs/packs";
import { dbBlobIndex, insertBlobRow } from "../blobs/rows";
import { BlobStore, type StoredBlob } from "../blobs/store";
import { seedMailbox, seedVersion } from "../retention/testing/seed-archive";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { purgeExpired } from "./purge";

/**
 * The purge over packed objects, against a real PostgreSQL and real pack files: fully dead packs are
 * deleted once the grace period has passed, sparse ones compacted, and everything still referenced reads
 * back byte-identical afterwards. "Time passes" by dating pack files and `blob_packs` rows back.
 */

const HOUR = 3_600_000;
let t: TestDatabase;
let dir: string;
const key = toBlobKey(randomBytes(32));
const backends: FsBlobBackend[] = [];

beforeAll(async () => {
  t = await createTestDatabase("coffer_packs");
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "coffer-purge-packs-"));
  await sql`TRUNCATE mailboxes, blobs, contents, item_versions, purge_runs, purge_blob_candidates,
    purge_pending_objects, blob_packs CASCADE`.execute(t.db);
});
afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store with its own pack writer: what one process writes goes into one pack. */
function processStore(): { store: BlobStore; backend: FsBlobBackend } {
  const backend = new FsBlobBackend(dir);
  backends.push(backend);
  return { backend, store: new BlobStore({ backend, keys: [key], index: dbBlobIndex(t.db) }) };
}

/** Stores `bytes` and records its row, as a sync page does; `isReferenced`: a current version points at it. */
async function archive(
  store: BlobStore,
  bytes: Buffer,
  mailboxId: string,
  isReferenced: boolean,
): Promise<StoredBlob> {
  const stored = await store.putBuffer(bytes);
  await insertBlobRow(t.db, stored);
  if (isReferenced) {
    await seedVersion(t.db, {
      mailboxId,
      graphId: `m-${stored.sha256.slice(0, 12)}`,
      content: { sha256: stored.sha256, size: stored.size },
      validFrom: new Date(Date.now() - 2 * HOUR),
    });
  }
  return stored;
}

/** Makes rows, packs and releases look `ms` old (the sweep only takes rows older than the grace period). */
async function passTime(ms: number): Promise<void> {
  const at = new Date(Date.now() - ms);
  await sql`UPDATE blobs SET created_at = ${at}`.execute(t.db);
  await sql`UPDATE blob_packs SET released_at = ${at}`.execute(t.db);
  const probe = new FsBlobBackend(dir);
  for await (const p of probe.listPacks()) await utimes(probe.packPath(p.packId), at, at);
}

async function packIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const p of new FsBlobBackend(dir).listPacks()) ids.push(p.packId);
  return ids.sort();
}

const purge = (dryRun = false) => purgeExpired(t.db, new FsBlobBackend(dir), { dryRun, graceMs: HOUR });

describe("purge of packed objects", () => {
  it("deletes a fully dead pack only after the grace period, and keeps packs still referenced", async () => {
    const m = await seedMailbox(t.db, "a@contoso.example");
    const dead = processStore();
    const deadBlobs = [];
    for (let i = 0; i < 3; i++) deadBlobs.push(await archive(dead.store, randomBytes(4000), m.id, false));
    const live = processStore();
    const liveBytes = randomBytes(4000);
    const liveBlob = await archive(live.store, liveBytes, m.id, true);
    const deadPack = parsePackKey(deadBlobs[0]!.storageKey)!.packId;
    const livePack = parsePackKey(liveBlob.storageKey)!.packId;
    expect(new Set(deadBlobs.map((b) => parsePackKey(b.storageKey)!.packId))).toEqual(new Set([deadPack]));
    await dead.backend.close();
    await live.backend.close();
    await passTime(2 * HOUR);

    // The sweep finds the unreferenced rows and deletes them: the pack just lost its references, so it
    // stays for the grace period (a sync may have looked one of its keys up a moment ago).
    const first = await purge();
    expect(first.blobs.rows).toBe(3);
    expect(first.packs).toMatchObject({ deleted: 0, deferred: 1 });
    expect(await packIds()).toEqual([deadPack, livePack].sort());
    expect(await t.db.selectFrom("purge_pending_objects").selectAll().execute()).toEqual([]);

    const dry = await purge(true);
    expect(dry.packs).toMatchObject({ deleted: 0, deferred: 1 });
    await passTime(2 * HOUR);
    const dryLater = await purge(true);
    const deadSize = (await stat(new FsBlobBackend(dir).packPath(deadPack))).size;
    expect(dryLater.packs).toMatchObject({ deleted: 1, bytesFreed: deadSize });
    expect(await packIds()).toEqual([deadPack, livePack].sort()); // a dry run changes nothing

    const second = await purge();
    expect(second.packs).toMatchObject({ deleted: 1, compacted: 0, bytesFreed: deadSize });
    expect(second.objects.bytes).toBeGreaterThanOrEqual(deadSize);
    expect(await packIds()).toEqual([livePack]);
    expect(await t.db.selectFrom("blob_packs").selectAll().execute()).toEqual([]);
    expect((await live.store.readBuffer(liveBlob.sha256)).equals(liveBytes)).toBe(true);
  });

  it("compacts a mostly dead pack: live objects move, read back byte-identical, old pack goes later", async () => {
    const m = await seedMailbox(t.db, "b@contoso.example");
    const p = processStore();
    const kept: Array<{ blob: StoredBlob; bytes: Buffer }> = [];
    for (let i = 0; i < 6; i++) {
      // Incompressible, so stored sizes are about what we write: 2 of 6 live = a third of the pack.
      const bytes = randomBytes(6000 + i);
      const blob = await archive(p.store, bytes, m.id, i % 3 === 0);
      if (i % 3 === 0) kept.push({ blob, bytes });
    }
    const oldPack = parsePackKey(kept[0]!.blob.storageKey)!.packId;
    await p.backend.close();
    await passTime(2 * HOUR);

    const steps: string[] = [];
    const r = await purgeExpired(t.db, new FsBlobBackend(dir), {
      dryRun: false,
      graceMs: HOUR,
      onStep: (s) => {
        if (s.phase === "packs") steps.push(`${s.action} ${s.packId}`);
      },
    });
    expect(r.blobs.rows).toBe(4);
    expect(r.packs).toMatchObject({ compacted: 1, objectsMoved: 2, deleted: 0 });
    expect(steps).toEqual([`compacted ${oldPack}`]);
    const rows = await t.db.selectFrom("blobs").select(["sha256", "storage_key"]).execute();
    expect(rows).toHaveLength(2);
    const newPacks = new Set(rows.map((row) => parsePackKey(row.storage_key)!.packId));
    expect(newPacks.size).toBe(1);
    expect(newPacks.has(oldPack)).toBe(false);
    for (const k of kept) {
      // By sha256 (through the index: the new location), and by the old key a reader may still hold.
      expect((await p.store.readBuffer(k.blob.sha256)).equals(k.bytes)).toBe(true);
      expect(
        (await p.store.readBuffer({ sha256: k.blob.sha256, storageKey: k.blob.storageKey })).equals(k.bytes),
      ).toBe(true);
    }
    expect(await packIds()).toContain(oldPack);

    await passTime(2 * HOUR);
    const later = await purge();
    expect(later.packs).toMatchObject({ deleted: 1, compacted: 0 });
    expect(await packIds()).toEqual([...newPacks]);
    for (const k of kept) expect((await p.store.readBuffer(k.blob.sha256)).equals(k.bytes)).toBe(true);
  });

  it("keeps a dead pack whose key a sync commits again after the purge deleted the row", async () => {
    const m = await seedMailbox(t.db, "c@contoso.example");
    const p = processStore();
    const bytes = randomBytes(3000);
    const blob = await archive(p.store, bytes, m.id, false);
    // A sync finds the content through the index (row and key) and is about to commit its page…
    const found = await p.store.putBuffer(bytes);
    expect(found).toMatchObject({ isNew: false, storageKey: blob.storageKey });
    await p.backend.close();
    await passTime(2 * HOUR);
    // …the purge deletes the unreferenced row meanwhile…
    expect((await purge()).blobs.rows).toBe(1);
    // …and the page commits: the row is back with the key it found, referenced by a version.
    await insertBlobRow(t.db, found);
    await seedVersion(t.db, {
      mailboxId: m.id,
      graphId: "m-late",
      content: { sha256: found.sha256, size: found.size },
      validFrom: new Date(),
    });
    await passTime(2 * HOUR);
    const r = await purge();
    expect(r.packs.deleted).toBe(0);
    expect((await p.store.readBuffer(blob.sha256)).equals(bytes)).toBe(true);
  });
});
