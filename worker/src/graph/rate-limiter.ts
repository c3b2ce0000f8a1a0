import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";

/**
 * Outlook's limits are per app and mailbox (graph-entra-officejs.md §D.1): 4 concurrent requests and
 * 10,000 requests per 10 minutes. Every worker process of every machine shares this state in Redis, so the
 * limits hold however many workers touch one mailbox (a sync, a restore, the portal's previews).
 *
 * Per key (app + mailbox), three Redis structures, all changed atomically by Lua:
 * - `…:leases`  ZSET lease id → expiry (ms). A lease is one request in flight. Leases expire, so a worker
 *               that dies mid-request frees its slots without anyone's help (and same-host waiters reap
 *               the leases of a dead pid at once).
 * - `…:win`     HASH bucket → count: a sliding window of 10 s buckets over the last 10 minutes. Counting
 *               by bucket is conservative (a request is forgotten one to two buckets late) and keeps memory
 *               at ≤ 63 fields per mailbox instead of 10,000 members.
 * - `…:nb`      "not before" (ms, Redis clock): set from every Retry-After; no lease is granted before it.
 * Time comes from Redis (`TIME`), so workers on machines with skewed clocks agree.
 *
 * Round trips: a process takes a few requests of the budget at once (RESERVE) and sends them on a slot it
 * keeps (a parked lease, see release) without asking Redis again; a Retry-After reaches every process at
 * once by pub/sub, so a reserved request is never sent before it. Without the subscription (Redis trouble)
 * every request asks Redis.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxConcurrent = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local windowMs = tonumber(ARGV[4])
local bucketMs = tonumber(ARGV[5])
local leaseMs = tonumber(ARGV[6])
-- A lease handed over by a request of this process that just finished: its slot is ours now.
if ARGV[7] ~= '' then redis.call('ZREM', KEYS[1], ARGV[7]) end
local nb = tonumber(redis.call('GET', KEYS[3]) or '0')
if nb > now then return {0, 1, nb - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= maxConcurrent then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, 2, tonumber(first[2]) - now}
end
local nBuckets = math.floor(windowMs / bucketMs)
local cur = math.floor(now / bucketMs)
-- Two buckets more than the window: a request counted at the end of a bucket (or reserved up to one bucket
-- before it is sent) is still counted a whole window after it was sent, never forgotten early.
local oldestKept = cur - nBuckets - 1
local all = redis.call('HGETALL', KEYS[2])
local total = 0
local minBucket = cur
for i = 1, #all, 2 do
  local b = tonumber(all[i])
  if b < oldestKept then
    redis.call('HDEL', KEYS[2], all[i])
  else
    total = total + tonumber(all[i + 1])
    if b < minBucket then minBucket = b end
  end
end
if total >= budget and tonumber(ARGV[8]) > 0 then
  return {0, 3, (minBucket + nBuckets + 2) * bucketMs - now}
end
-- ARGV[8] = 0: the request was counted already (reserved earlier); only the slot is taken.
local grant = 0
if tonumber(ARGV[8]) > 0 then
  grant = math.max(1, math.min(tonumber(ARGV[8]), budget - total))
  redis.call('HINCRBY', KEYS[2], cur, grant)
  redis.call('PEXPIRE', KEYS[2], windowMs + 3 * bucketMs)
end
redis.call('ZADD', KEYS[1], now + leaseMs, ARGV[1])
redis.call('PEXPIRE', KEYS[1], leaseMs * 4)
return {1, grant, cur}
`;

/** Gives back reserved requests that were not sent (their bucket may have left the window meanwhile). */
const UNRESERVE = `
local v = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if v > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -math.min(v, tonumber(ARGV[2]))) end
return 1
`;

/** Moves "not before" forward only: a shorter Retry-After never shortens a longer one. */
const SET_NOT_BEFORE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > cur then
  redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000)
  cur = untilMs
end
-- Every limiter hears of it at once, also one sending on requests it had reserved (see acquire).
redis.call('PUBLISH', ARGV[2], ARGV[3] .. '|' .. (cur - now))
return cur - now
`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 4)
return 1
`;

export type TRateLimits = {
  maxConcurrent: number;
  /** Requests allowed per window; Graph's is 10,000, we keep a margin for clock skew and other apps' use. */
  budget: number;
  windowMs: number;
  bucketMs: number;
  /** How long a lease lives without renewal: bounds how long a dead worker blocks a slot. */
  leaseMs: number;
};

export const GRAPH_MAILBOX_LIMITS: TRateLimits = {
  maxConcurrent: 4,
  // Corso uses 9,600 (`exchCapacity`): a 4% margin below 10,000.
  budget: 9_600,
  windowMs: 600_000,
  bucketMs: 10_000,
  leaseMs: 30_000,
};

export type TLease = { key: string; id: string };

/** A waiter is woken with the id of the lease it takes over (its Redis entry is replaced atomically). */
type TLocalGate = {
  active: number;
  waiters: Array<(handover: string | undefined) => void>;
  /** Leases released with nobody waiting, kept for a moment for the next request (see release). */
  parked: Array<{ id: string; timer: NodeJS.Timeout }>;
};

/**
 * How long a freed lease stays with this process for its next request before it goes back to Redis. A sync
 * asks for the next message a few milliseconds after the previous body arrived (it parses and stores in
 * between); taking the parked lease over costs one Redis round trip instead of two (release + acquire), and
 * another process waits at most this long for the slot.
 */
const PARK_MS = 100;

/** Requests of the budget taken per Redis round trip (given back when the process stops using the mailbox). */
const RESERVE = 8;

/** Why a lease was not granted (for tests and diagnostics). */
export type TWaitReason = "retry-after" | "concurrency" | "budget";
const REASONS: Record<number, TWaitReason> = { 1: "retry-after", 2: "concurrency", 3: "budget" };

/**
 * The shared limiter. `acquire(key)` resolves with a lease once the request may be sent; `release` frees it.
 * In-process waiters queue on a local gate (no Redis polling while this process alone holds the slots);
 * only cross-process contention polls Redis, with jitter.
 */
export class GraphRateLimiter {
  private readonly gates = new Map<string, TLocalGate>();
  private readonly notBefore = new Map<string, number>();
  private readonly held = new Map<string, Set<string>>();
  private readonly owner = `${hostname()}/${process.pid}`;
  private seq = 0;
  private readonly renewTimer: NodeJS.Timeout;
  private readonly shas = new Map<string, string>();
  /** Budget this process took from the window and has not used yet, per key, and the bucket it came from. */
  private readonly reserved = new Map<string, { count: number; bucket: number; at: number }>();
  private readonly channel: string;
  private readonly subscriber: Redis;
  private isSubscribed = false;
  /** Observability for tests and the benchmark. */
  readonly waits: Record<TWaitReason, number> = { "retry-after": 0, concurrency: 0, budget: 0 };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: TRateLimits = GRAPH_MAILBOX_LIMITS,
  ) {
    this.renewTimer = setInterval(() => void this.renewAll().catch(() => {}), Math.floor(limits.leaseMs / 3));
    this.renewTimer.unref();
    this.channel = `${prefix}:graph:not-before`;
    this.subscriber = redis.duplicate({ lazyConnect: false });
    this.subscriber.on("error", () => {
      // Reconnects by itself; meanwhile every request asks Redis (isSubscribed is false).
    });
    this.subscriber.on("close", () => {
      this.isSubscribed = false;
    });
    this.subscriber.on("ready", () => {
      void this.subscriber.subscribe(this.channel).then(
        () => {
          this.isSubscribed = true;
        },
        () => {},
      );
    });
    this.subscriber.on("message", (_channel: string, message: string) => {
      const bar = message.lastIndexOf("|");
      const ms = Number(message.slice(bar + 1));
      if (bar > 0 && ms > 0) this.noteNotBefore(message.slice(0, bar), ms);
    });
  }

  private noteNotBefore(key: string, ms: number): void {
    this.notBefore.set(key, Math.max(this.notBefore.get(key) ?? 0, Date.now() + ms));
  }

  /** The Redis key prefix of one app + mailbox; `{}` keeps the three keys in one cluster slot. */
  keyFor(appId: string, mailbox: string): string {
    return `${this.prefix}:graph:{${appId}:${mailbox.toLowerCase()}}`;
  }

  async acquire(key: string, signal?: AbortSignal): Promise<TLease> {
    let handover = await this.enterLocal(key, signal);
    try {
      let id: string | undefined;
      let blockedSince = 0;
      for (;;) {
        signal?.throwIfAborted();
        // A Retry-After this process saw is known here before Redis has it: never send before it either.
        const localWait = (this.notBefore.get(key) ?? 0) - Date.now();
        if (localWait > 0) {
          this.waits["retry-after"]++;
          await sleep(localWait + 5, signal);
          continue;
        }
        const mine = this.reserved.get(key);
        // Reserved requests were counted when reserved: used much later, the window would forget them
        // early. They are used within one bucket, or given back to it (still in the window) and asked for anew.
        if (mine && Date.now() - mine.at > this.limits.bucketMs) this.unreserve(key);
        const useReserved = !!mine && mine.count > 0 && this.isSubscribed && this.reserved.has(key);
        if (useReserved) mine.count--;
        if (useReserved && handover) {
          // A slot this process holds and a request it already counted: no Redis round trip.
          this.hold(key, handover);
          return { key, id: handover };
        }
        // A new lease id only when Redis is asked (the path above reuses the handed-over one).
        id ??= `${this.owner}/${++this.seq}/${randomBytes(3).toString("hex")}`;
        const [granted, reason, waitMs] = (await this.run(
          ACQUIRE,
          [`${key}:leases`, `${key}:win`, `${key}:nb`],
          [
            id,
            this.limits.maxConcurrent,
            this.limits.budget,
            this.limits.windowMs,
            this.limits.bucketMs,
            this.limits.leaseMs,
            handover ?? "",
            useReserved ? 0 : this.isSubscribed ? RESERVE : 1,
          ],
        )) as [number, number, number];
        handover = undefined;
        if (granted === 1) {
          // reason = requests counted now (this one and the reserved rest), waitMs = their bucket.
          const extra = reason - 1;
          if (extra > 0) {
            // Requests of this process that raced here together each reserved: keep the sum. Given back
            // to the newest bucket (capped at its count), which can only leave the window counting more.
            const held = this.reserved.get(key);
            if (held) {
              held.count += extra;
              held.bucket = Math.max(held.bucket, waitMs);
            } else {
              this.reserved.set(key, { count: extra, bucket: waitMs, at: Date.now() });
            }
          }
          this.hold(key, id);
          return { key, id };
        }
        if (useReserved && mine && this.reserved.get(key) === mine) mine.count++;
        const why = REASONS[reason] ?? "concurrency";
        this.waits[why]++;
        let sleepMs: number;
        if (why === "concurrency") {
          // Another process holds the slots. Poll briefly; after a while, check for leases of dead
          // processes on this host (a SIGKILLed worker) instead of waiting out their expiry.
          if (!blockedSince) blockedSince = Date.now();
          if (Date.now() - blockedSince > 250) await this.reapDeadLeases(key);
          sleepMs = Math.min(Math.max(waitMs, 5), 25) * (0.5 + Math.random());
        } else {
          // Retry-After or budget: wait exactly until it expires (+ a little so we are never early).
          sleepMs = waitMs + 5 + Math.random() * 20;
        }
        await sleep(sleepMs, signal);
      }
    } catch (e) {
      this.leaveLocal(key);
      throw e;
    }
  }

  /**
   * Frees a lease. When a request of this process waits for the same mailbox, the slot is handed over
   * directly; otherwise it is parked for PARK_MS for this process's next request. Whoever takes it over
   * keeps the lease as it is when it has a reserved request left (no Redis at all), else its acquire script
   * swaps the lease for its own in one round trip.
   */
  async release(lease: TLease): Promise<void> {
    this.held.get(lease.key)?.delete(lease.id);
    const gate = this.gates.get(lease.key);
    const next = gate?.waiters.shift();
    if (next) {
      next(lease.id);
      return;
    }
    if (gate) {
      const parked = { id: lease.id, timer: setTimeout(() => void this.unpark(lease.key, parked), PARK_MS) };
      parked.timer.unref();
      gate.parked.push(parked);
      return;
    }
    await this.redis.zrem(`${lease.key}:leases`, lease.id);
  }

  /** A parked lease nobody took: back to Redis, the local slot freed. */
  private async unpark(key: string, parked: { id: string; timer: NodeJS.Timeout }): Promise<void> {
    const gate = this.gates.get(key);
    const i = gate?.parked.indexOf(parked) ?? -1;
    if (!gate || i < 0) return;
    gate.parked.splice(i, 1);
    try {
      await this.redis.zrem(`${key}:leases`, parked.id);
    } catch {
      // The lease expires by itself (leaseMs) if Redis is unreachable now.
    } finally {
      this.leaveLocal(key);
    }
  }

  /** This process stopped using the mailbox: requests it reserved and did not send go back to the window. */
  private unreserve(key: string): void {
    const unused = this.reserved.get(key);
    this.reserved.delete(key);
    if (!unused || unused.count <= 0) return;
    // If this fails the requests stay counted until their bucket leaves the window (conservative).
    void this.run(UNRESERVE, [`${key}:win`], [unused.bucket, unused.count]).catch(() => {});
  }

  private hold(key: string, id: string): void {
    const set = this.held.get(key) ?? new Set<string>();
    this.held.set(key, set);
    set.add(id);
  }

  /**
   * Records a Retry-After for the whole mailbox; every worker's next acquire waits for it. Known in this
   * process at once (synchronously), in Redis for the others when the promise resolves: call it before
   * releasing the throttled request's lease, so the slot's next holder already sees it.
   */
  async setNotBefore(key: string, delayMs: number): Promise<void> {
    const ms = Math.max(1, Math.ceil(delayMs));
    this.noteNotBefore(key, ms);
    await this.run(SET_NOT_BEFORE, [`${key}:nb`], [ms, this.channel, key]);
  }

  /** Requests counted in the current window (tests, diagnostics). */
  async windowCount(key: string): Promise<number> {
    const all = await this.redis.hvals(`${key}:win`);
    return all.reduce((n, v) => n + Number(v), 0);
  }

  close(): void {
    clearInterval(this.renewTimer);
    this.isSubscribed = false;
    this.subscriber.disconnect();
    for (const [key, gate] of this.gates) {
      for (const p of gate.parked.splice(0)) {
        clearTimeout(p.timer);
        void this.redis.zrem(`${key}:leases`, p.id).catch(() => {});
      }
      this.unreserve(key);
    }
  }

  private async renewAll(): Promise<void> {
    for (const [key, ids] of this.held) {
      if (ids.size === 0) {
        this.held.delete(key);
        continue;
      }
      await this.run(RENEW, [`${key}:leases`], [this.limits.leaseMs, ...ids]);
    }
  }

  private async reapDeadLeases(key: string): Promise<void> {
    const members = await this.redis.zrange(`${key}:leases`, "0", "-1");
    const host = hostname();
    const dead = members.filter((m) => {
      const [h, pid] = m.split("/");
      return h === host && Number(pid) !== process.pid && !isAlive(Number(pid));
    });
    if (dead.length) await this.redis.zrem(`${key}:leases`, ...dead);
  }

  private enterLocal(key: string, signal?: AbortSignal): Promise<string | undefined> {
    const gate: TLocalGate = this.gates.get(key) ?? { active: 0, waiters: [], parked: [] };
    this.gates.set(key, gate);
    const parked = gate.parked.pop();
    if (parked) {
      // A slot this process just freed: take it over (active stays the same).
      clearTimeout(parked.timer);
      return Promise.resolve(parked.id);
    }
    if (gate.active < this.limits.maxConcurrent) {
      gate.active++;
      return Promise.resolve(undefined);
    }
    const g = gate;
    return new Promise<string | undefined>((resolve, reject) => {
      // Woken by release(): the slot passes to us (active stays the same).
      const wake = (handover: string | undefined) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(handover);
      };
      const onAbort = () => {
        const i = g.waiters.indexOf(wake);
        if (i >= 0) g.waiters.splice(i, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      g.waiters.push(wake);
    });
  }

  private leaveLocal(key: string): void {
    const gate = this.gates.get(key);
    if (!gate) return;
    const next = gate.waiters.shift();
    if (next) {
      next(undefined);
      return;
    }
    gate.active--;
    if (gate.active === 0 && gate.parked.length === 0) {
      this.gates.delete(key);
      this.unreserve(key);
    }
  }

  private async run(script: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    let sha = this.shas.get(script);
    if (!sha) {
      sha = (await this.redis.script("LOAD", script)) as string;
      this.shas.set(script, sha);
    }
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (e instanceof Error && e.message.includes("NOSCRIPT")) {
        this.shas.delete(script);
        return this.redis.eval(script, keys.length, ...keys, ...args);
      }
      throw e;
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
