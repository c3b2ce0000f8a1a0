import { hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newHeader, objectKey, parseHeader, toBlobKey } from "./format";

describe("blob object format", () => {
  it("derives each object's key with HKDF-SHA256, as objects written before were", () => {
    for (let i = 0; i < 50; i++) {
      const key = toBlobKey(randomBytes(32));
      const salt = randomBytes(32);
      const expected = Buffer.from(hkdfSync("sha256", key.key, salt, Buffer.from("coffer-blob-v1"), 32));
      expect(objectKey(key, salt).equals(expected)).toBe(true);
    }
  });

  it("never hands out the same salt or nonce twice, across pool refills", () => {
    const seen = new Set<string>();
    // 1,000 headers draw 44 KB: the 16 KB pool is refilled twice in between.
    for (let i = 0; i < 1000; i++) {
      const h = newHeader("k1-test", "brotli");
      for (const part of [h.salt, h.nonce]) {
        const hex = part.toString("hex");
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
      expect(parseHeader(h.bytes)).toMatchObject({ keyId: "k1-test", compression: "brotli" });
      expect(parseHeader(h.bytes)?.salt.equals(h.salt)).toBe(true);
    }
  });
});
