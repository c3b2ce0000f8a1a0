import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database";
import { toBlobKey } from "./format";
import { FsBlobBackend } from "./fs-backend";
import { findBlobRow, insertBlobRow } from "./rows";
import { BlobStore } from "./store";

let t: TestDatabase;
let dir: string;
let store: BlobStore;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), "coffer-blobrows-"));
  store = new BlobStore({ backend: new FsBlobBackend(dir), keys: [toBlobKey(randomBytes(32))] });
});
afterAll(async () => {
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe("blob rows", () => {
  it("records a stored blob once, however often it is inserted", async () => {
    const stored = await store.putBuffer(randomBytes(4096));
    await insertBlobRow(t.db, stored);
    await insertBlobRow(t.db, await store.putBuffer(Buffer.from(await store.readBuffer(stored.sha256))));
    expect(await findBlobRow(t.db, stored.sha256)).toMatchObject({
      sha256: stored.sha256,
      size: 4096,
      stored_size: stored.storedSize,
      storage_key: stored.storageKey,
      key_id: stored.keyId,
    });
    const { count } = await t.db
      .selectFrom("blobs")
      .select((eb) => eb.fn.countAll<string>().as("count"))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(1);
  });

  it("supports the sync engine's order: blob first, row in a page transaction that may roll back", async () => {
    const bytes = randomBytes(10_000);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await insertBlobRow(trx, await store.putBuffer(bytes));
        throw new Error("page failed");
      }),
    ).rejects.toThrow("page failed");
    const sha256 = (await store.putBuffer(bytes)).sha256;
    expect(await findBlobRow(t.db, sha256)).toBeUndefined(); // the row rolled back…
    expect(await store.exists(sha256)).toBe(true); // …the object stayed, harmlessly

    // The retry finds the object and records it.
    await t.db.transaction().execute(async (trx) => {
      const again = await store.putStream([bytes]);
      expect(again.isNew).toBe(false);
      await insertBlobRow(trx, again);
    });
    expect((await findBlobRow(t.db, sha256))?.size).toBe(10_000);
  });
});
