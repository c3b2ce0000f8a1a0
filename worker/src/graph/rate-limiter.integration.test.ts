import { hostname } from "node:os";
import { testRedisUrl, uniqueRedisPrefix } from "@coffer/test/setup/integration";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireMailboxLock, MailboxBusyError } from "../sync/mailbox-lock";
import { GRAPH_MAILBOX_LIMITS, GraphRateLimiter, sleep } from "./rate-limiter";

// Two limiters on two connections stand for two worker processes sharing one mailbox's limits.
let r1: Redis;
let r2: Redis;
beforeAll(() => {
  r1 = new Redis(testRedisUrl());
  r2 = new Redis(testRedisUrl());
});
afterAll(() => {
  r1.disconnect();
  r2.disconnect();
});

describe("the shared Graph rate limiter", () => {
  it("never lets more than 4 requests of one mailbox run at once across workers", async () => {
    const prefix = uniqueRedisPrefix("rl");
    const a = new GraphRateLimiter(r1, prefix);
    const b = new GraphRateLimiter(r2, prefix);
    const key = a.keyFor("app", "mailbox-1");
    let inFlight = 0;
    let peak = 0;
    const request = async (l: GraphRateLimiter) => {
      const lease = await l.acquire(key);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(2 + Math.random() * 8);
      inFlight--;
      await l.release(lease);
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => request(i % 2 ? a : b)));
    expect(peak).toBe(4);
    // Once both have let go of the mailbox, requests they reserved and did not send are given back.
    await sleep(300);
    expect(await a.windowCount(key)).toBe(60);
    a.close();
    b.close();
  });

  it("keeps a freed slot for this worker's next request for a moment, then gives it back", async () => {
    const prefix = uniqueRedisPrefix("rl");
    const a = new GraphRateLimiter(r1, prefix, { ...GRAPH_MAILBOX_LIMITS, maxConcurrent: 1 });
    const b = new GraphRateLimiter(r2, prefix, { ...GRAPH_MAILBOX_LIMITS, maxConcurrent: 1 });
    const key = a.keyFor("app", "mailbox-park");
    const first = await a.acquire(key);
    await a.release(first);
    // Parked: still one lease in Redis (the other worker cannot take the only slot yet) …
    expect(await r1.zcard(`${key}:leases`)).toBe(1);
    // … and this worker's next request takes it over: still one lease, the budget counts both requests.
    const second = await a.acquire(key);
    expect(await r1.zcard(`${key}:leases`)).toBe(1);
    await a.release(second);
    // Nobody of this worker asks again: the slot goes back to Redis and the other worker gets it.
    const other = await b.acquire(key);
    expect(await r1.zrange(`${key}:leases`, "0", "-1")).toEqual([other.id]);
    await b.release(other);
    await sleep(300);
    expect(await r1.zcard(`${key}:leases`)).toBe(0);
    expect(await a.windowCount(key)).toBe(3);
    a.close();
    b.close();
  });

  it("holds every worker back until a Retry-After has expired", async () => {
    const prefix = uniqueRedisPrefix("rl");
    const a = new GraphRateLimiter(r1, prefix);
    const b = new GraphRateLimiter(r2, prefix);
    const key = a.keyFor("app", "mailbox-2");
    const setAt = Date.now();
    await a.setNotBefore(key, 400);
    const lease = await b.acquire(key);
    expect(Date.now()).toBeGreaterThanOrEqual(setAt + 400);
    expect(b.waits["retry-after"]).toBeGreaterThan(0);
    await b.release(lease);
    // Another mailbox of the same app is not held back.
    const other = await b.acquire(b.keyFor("app", "mailbox-3"));
    await b.release(other);
    a.close();
    b.close();
  });

  it("stops a worker sending requests it had reserved once another worker got a Retry-After", async () => {
    const prefix = uniqueRedisPrefix("rl");
    const a = new GraphRateLimiter(r1, prefix);
    const b = new GraphRateLimiter(r2, prefix);
    const key = a.keyFor("app", "mailbox-reserved");
    await sleep(200); // both subscribed
    // b sends one request and keeps its slot and the rest of its reservation …
    await b.release(await b.acquire(key));
    // … a is told to hold off; b hears of it by pub/sub and does not use its reservation before then.
    const setAt = Date.now();
    await a.setNotBefore(key, 400);
    await sleep(50);
    const lease = await b.acquire(key);
    expect(Date.now()).toBeGreaterThanOrEqual(setAt + 400);
    await b.release(lease);
    a.close();
    b.close();
  });

  it("keeps to the request budget of the sliding window", async () => {
    const prefix = uniqueRedisPrefix("rl");
    const limits = { ...GRAPH_MAILBOX_LIMITS, budget: 5, windowMs: 1000, bucketMs: 100 };
    const a = new GraphRateLimiter(r1, prefix, limits);
    const key = a.keyFor("app", "mailbox-4");
    const firstAt = Date.now();
    for (let i = 0; i < 5; i++) await a.release(await a.acquire(key));
    const sixth = await a.acquire(key);
    // Never early: the first request leaves the window only once a whole window has passed since it was
    // made (Graph counts exactly; a request forgotten early would be a 429).
    expect(Date.now()).toBeGreaterThanOrEqual(firstAt + limits.windowMs);
    expect(a.waits.budget).toBeGreaterThan(0);
    await a.release(sixth);
    a.close();
  });

  it("frees the slots of a worker that died holding them", async () => {
    const prefix = uniqueRedisPrefix("rl");
    const a = new GraphRateLimiter(r1, prefix);
    const key = a.keyFor("app", "mailbox-5");
    // Four leases of a dead process on this host (pid 2^22+1 cannot exist), valid for another minute.
    const until = Date.now() + 60_000;
    for (let i = 0; i < 4; i++) await r1.zadd(`${key}:leases`, until, `${hostname()}/4194305/${i}`);
    const lease = await a.acquire(key);
    expect(a.waits.concurrency).toBeGreaterThan(0);
    await a.release(lease);
    a.close();
  });
});

describe("the per-mailbox lock", () => {
  it("lets one run at a time hold a mailbox, and takes over from a dead holder", async () => {
    const prefix = uniqueRedisPrefix("lock");
    const first = await acquireMailboxLock(r1, prefix, "mbx");
    await expect(acquireMailboxLock(r2, prefix, "mbx")).rejects.toBeInstanceOf(MailboxBusyError);
    const waiting = acquireMailboxLock(r2, prefix, "mbx", { wait: true, waitTimeoutMs: 10_000 });
    await sleep(300);
    await first.release();
    const second = await waiting;
    expect(second.signal.aborted).toBe(false);
    await second.release();

    await r1.set(`${prefix}:lock:mailbox:mbx2`, `${hostname()}/4194305/dead`, "PX", 60_000);
    const taken = await acquireMailboxLock(r2, prefix, "mbx2");
    await taken.release();
  });
});
