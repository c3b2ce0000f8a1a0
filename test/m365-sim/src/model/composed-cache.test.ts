import { describe, expect, it } from "vitest";
import { ComposedCache } from "./composed-cache";

const kb = (n: number, fill: number) => Buffer.alloc(n * 1024, fill);

describe("ComposedCache", () => {
  it("stays within its byte bound and never keeps an entry over the entry limit", () => {
    const cache = new ComposedCache(10 * 1024);
    const owner = {};
    const keys = Array.from({ length: 30 }, () => ({}));
    keys.forEach((k, i) => {
      cache.put(k, owner, kb(1, i), false);
    });
    expect(cache.bytes).toBeLessThanOrEqual(10 * 1024);
    expect(cache.size).toBe(10);
    const big = {};
    cache.put(big, owner, kb(11, 1), true);
    expect(cache.get(big, owner, true)).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(10 * 1024);
  });

  it("evicts served entries before ones nobody asked for yet (a state call, then one download each)", () => {
    const cache = new ComposedCache(4 * 1024);
    const owner = {};
    const [a, b, c, d, e] = Array.from({ length: 5 }, () => ({}));
    for (const k of [a, b, c, d]) cache.put(k as object, owner, kb(1, 0), false);
    // a is downloaded: now served, so it goes before b, c, d when room is needed
    expect(cache.get(a as object, owner, true)).toBeDefined();
    cache.put(e as object, owner, kb(1, 0), true);
    expect(cache.get(a as object, owner, false)).toBeUndefined();
    for (const k of [b, c, d, e]) expect(cache.get(k as object, owner, false)).toBeDefined();
    // Without served entries the oldest composed one goes
    const f = {};
    cache.get(e as object, owner, false);
    cache.delete(e as object);
    cache.put(f, owner, kb(1, 0), false);
    cache.put({}, owner, kb(1, 0), false);
    expect(cache.get(b as object, owner, false)).toBeUndefined();
    expect(cache.get(f, owner, false)).toBeDefined();
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
