import { describe, expect, it } from "vitest";
import { ComposedCache } from "./composed-cache";

const kb = (n: number, fill: number) => Buffer.alloc(n * 1024, fill);

describe("ComposedCache", () => {
  it("stays within its byte bound and never keeps an entry over the entry limit", () => {
    const cache = new ComposedCache(32 * 1024);
    const owner = {};
    const keys = Array.from({ length: 60 }, () => ({}));
    keys.forEach((k, i) => {
      cache.put(k, owner, kb(1, i), false);
    });
    expect(cache.bytes).toBeLessThanOrEqual(32 * 1024);
    expect(cache.size).toBe(32);
    // Entries over a sixteenth of the bound are never kept
    expect(cache.maxEntryBytes).toBe(2 * 1024);
    const big = {};
    cache.put(big, owner, kb(3, 1), true);
    expect(cache.get(big, owner, true)).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(32 * 1024);
  });

  it("evicts served entries before ones nobody asked for yet (a state call, then one download each)", () => {
    const cache = new ComposedCache(16 * 1024);
    const owner = {};
    const keys = Array.from({ length: 16 }, () => ({}));
    for (const k of keys) cache.put(k, owner, kb(1, 0), false);
    const [a, b] = keys as [object, object];
    // a is downloaded: now served, so it goes before the 15 others when room is needed
    expect(cache.get(a, owner, true)).toBeDefined();
    const e = {};
    cache.put(e, owner, kb(1, 0), true);
    expect(cache.get(a, owner, false)).toBeUndefined();
    for (const k of keys.slice(1)) expect(cache.get(k, owner, false)).toBeDefined();
    // Without served entries the oldest composed one goes
    cache.delete(e);
    const f = {};
    cache.put(f, owner, kb(1, 0), false);
    cache.put({}, owner, kb(1, 0), false);
    expect(cache.get(b, owner, false)).toBeUndefined();
    expect(cache.get(f, owner, false)).toBeDefined();
    expect(cache.bytes).toBe(16 * 1024);
  });

  it("does not answer for another owner (a re-attached generator spec)", () => {
    const cache = new ComposedCache();
    const key = {};
    cache.put(key, { spec: 1 }, Buffer.from("old"), true);
    expect(cache.get(key, { spec: 2 }, true)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });
});
