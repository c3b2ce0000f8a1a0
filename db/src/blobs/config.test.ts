import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobStoreConfig, ensureDevKey, MissingEncryptionKeyError } from "./config";
import { keyIdFor } from "./format";

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), "coffer-home-"));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("blobStoreConfig", () => {
  it("refuses to start without a key, with a sentence that says what to set", () => {
    expect(() => blobStoreConfig({}, home)).toThrow(MissingEncryptionKeyError);
    expect(() => blobStoreConfig({}, home)).toThrow(
      /refuses to start.*COFFER_ENCRYPTION_KEY.*COFFER_ENCRYPTION_KEY_FILE/s,
    );
  });

  it("takes the key from COFFER_ENCRYPTION_KEY, and the blob folder from COFFER_BLOB_DIR or the settings folder", () => {
    const key = randomBytes(32);
    const config = blobStoreConfig({ COFFER_ENCRYPTION_KEY: key.toString("base64") }, home);
    expect(config.keys).toEqual([{ id: keyIdFor(key), key }]);
    expect(config.blobDir).toBe(path.join(home, "blobs"));
    const elsewhere = blobStoreConfig(
      { COFFER_ENCRYPTION_KEY: key.toString("base64"), COFFER_BLOB_DIR: "/srv/x" },
      home,
    );
    expect(elsewhere.blobDir).toBe("/srv/x");
  });

  it("takes the key from COFFER_ENCRYPTION_KEY_FILE", async () => {
    const key = randomBytes(32);
    const file = path.join(home, "key");
    await writeFile(file, `${key.toString("base64")}\n`);
    expect(blobStoreConfig({ COFFER_ENCRYPTION_KEY_FILE: file }, home).keys[0]?.key).toEqual(key);
  });

  it("rejects keys that are not 32 bytes of base64, and two key settings at once", () => {
    expect(() =>
      blobStoreConfig({ COFFER_ENCRYPTION_KEY: randomBytes(16).toString("base64") }, home),
    ).toThrow(/32 bytes.*holds 16/);
    expect(() => blobStoreConfig({ COFFER_ENCRYPTION_KEY: "not base64!" }, home)).toThrow(/not base64/);
    expect(() => blobStoreConfig({ COFFER_ENCRYPTION_KEY_FILE: path.join(home, "missing") }, home)).toThrow(
      /cannot read the encryption key file/,
    );
    const key = randomBytes(32).toString("base64");
    expect(() =>
      blobStoreConfig({ COFFER_ENCRYPTION_KEY: key, COFFER_ENCRYPTION_KEY_FILE: "/x" }, home),
    ).toThrow(/not both/);
  });
});

describe("ensureDevKey", () => {
  it("generates <settings>/keys/blob.key once, private to the user, and reuses it", async () => {
    const first = ensureDevKey(home);
    expect(first.path).toBe(path.join(home, "keys", "blob.key"));
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    const text = await readFile(first.path, "utf8");
    expect(ensureDevKey(home)).toEqual(first);
    expect(await readFile(first.path, "utf8")).toBe(text);
    expect(blobStoreConfig({ COFFER_ENCRYPTION_KEY_FILE: first.path }, home).keys[0]?.id).toBe(first.keyId);
  });
});
