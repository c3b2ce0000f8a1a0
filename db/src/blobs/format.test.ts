import { hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newHeader, OBJECTS_PER_SALT, objectKey, parseHeader, toBlobKey } from "./format";

describe("blob object format", () => {
  it("derives each object's key with HKDF-SHA256, as objects written before were", () => {
    for (let i = 0; i < 50; i++) {
      const key = toBlobKey(randomBytes(32));
      const salt = randomBytes(32);
      const expected = Buffer.from(hkdfSync("sha256", key.key, salt, Buffer.from("coffer-blob-v1"), 32));
      expect(objectKey(key, salt).equals(expected)).toBe(true);
    }
  });

  it("gives every object its own nonce, and a salt to at most OBJECTS_PER_SALT objects", () => {
    const nonces = new Set<string>();
    const perSalt = new Map<string, number>();
    // 4,000 headers draw ~48 KB (a 12-byte nonce each, a 32-byte salt per 256): the 16 KB random pool is
    // refilled twice or more in between, and a dozen salts are used.
    for (let i = 0; i < 4000; i++) {
      const h = newHeader("k1-test", "brotli");
      const nonce = h.nonce.toString("hex");
      expect(nonces.has(nonce)).toBe(false);
      nonces.add(nonce);
      const salt = h.salt.toString("hex");
      perSalt.set(salt, (perSalt.get(salt) ?? 0) + 1);
      const parsed = parseHeader(h.bytes);
      expect(parsed).toMatchObject({ keyId: "k1-test", compression: "brotli" });
      expect(parsed?.salt.equals(h.salt) && parsed.nonce.equals(h.nonce)).toBe(true);
    }
    expect(perSalt.size).toBeGreaterThanOrEqual(Math.ceil(4000 / OBJECTS_PER_SALT));
    expect(Math.max(...perSalt.values())).toBeLessThanOrEqual(OBJECTS_PER_SALT);
  });

  it("derives the right key whichever salts come in turn (the last derivation is reused only for its salt)", () => {
    const key = toBlobKey(randomBytes(32));
    const other = toBlobKey(randomBytes(32));
    const salts = [randomBytes(32), randomBytes(32)];
    const hkdf = (k: typeof key, s: Buffer) =>
      Buffer.from(hkdfSync("sha256", k.key, s, Buffer.from("coffer-blob-v1"), 32));
    for (const [k, s] of [
      [key, salts[0]],
      [key, salts[0]],
      [key, salts[1]],
      [other, salts[1]],
      [key, Buffer.from(salts[1]!)],
    ] as const) {
      expect(objectKey(k, s!).equals(hkdf(k, s!))).toBe(true);
    }
  });
});
