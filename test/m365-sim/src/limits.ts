/**
 * Outlook service limits (https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits),
 * fault injection and per-mailbox statistics.
 */

export interface ThrottleLimits {
  /** Requests per app per mailbox per window (10,000 per 10 minutes). */
  requestsPerWindow: number;
  windowMs: number;
  /** Concurrent requests per app per mailbox (4). */
  concurrency: number;
  /** Bytes uploaded (POST/PATCH/PUT bodies) per mailbox per window, regardless of app (150 MB / 5 min). */
  uploadBytes: number;
  uploadWindowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  requestsPerWindow: 10_000,
  windowMs: 10 * 60 * 1000,
  concurrency: 4,
  uploadBytes: 150 * 1024 * 1024,
  uploadWindowMs: 5 * 60 * 1000,
};

export interface Throttled {
  status: 429;
  retryAfter: number;
  code: "ApplicationThrottled";
  message: string;
}

/** Fixed-capacity ring of request timestamps: the window is full when the oldest kept one is recent. */
class Ring {
  private readonly ts: Float64Array;
  private head = 0;
  private n = 0;
  constructor(readonly capacity: number) {
    this.ts = new Float64Array(Math.max(1, capacity));
  }
  push(t: number): void {
    this.ts[this.head] = t;
    this.head = (this.head + 1) % this.ts.length;
    if (this.n < this.ts.length) this.n++;
  }
  /** Oldest of the last `capacity` timestamps, or undefined when fewer were recorded. */
  oldest(): number | undefined {
    if (this.n < this.ts.length) return undefined;
    return this.ts[this.head];
  }
  countSince(t: number): number {
    let c = 0;
    for (let i = 0; i < this.n; i++) if ((this.ts[i] as number) > t) c++;
    return c;
  }
}

export class Throttle {
  enabled: boolean;
  limits: ThrottleLimits = { ...DEFAULT_LIMITS };
  private readonly rings = new Map<string, Ring>();
  private readonly inflight = new Map<string, number>();
  private readonly uploads = new Map<string, Array<[number, number]>>();

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  setLimits(l: Partial<ThrottleLimits>): void {
    this.limits = { ...DEFAULT_LIMITS, ...l };
    this.rings.clear();
    this.uploads.clear();
  }

  reset(): void {
    this.rings.clear();
    this.uploads.clear();
    // in-flight counts stay: those requests are still running and will release their slots
  }

  inFlight(app: string, mailbox: string): number {
    return this.inflight.get(`${app}|${mailbox}`) ?? 0;
  }

  /**
   * Admits a request or says why not. Admitted requests hold a concurrency slot until `release`.
   * Rejected requests still count against the request budget, as Graph documents.
   */
  admit(
    app: string,
    mailbox: string,
    uploadBytes: number,
    now = Date.now(),
  ): { release: () => void; concurrency: number } | Throttled {
    const key = `${app}|${mailbox}`;
    const cur = this.inflight.get(key) ?? 0;
    if (!this.enabled) {
      this.inflight.set(key, cur + 1);
      return { release: () => this.dec(key), concurrency: cur + 1 };
    }
    const L = this.limits;
    let ring = this.rings.get(key);
    if (!ring || ring.capacity !== L.requestsPerWindow) {
      ring = new Ring(L.requestsPerWindow);
      this.rings.set(key, ring);
    }
    const oldest = ring.oldest();
    ring.push(now);
    if (oldest !== undefined && oldest > now - L.windowMs) {
      return {
        status: 429,
        retryAfter: Math.max(1, Math.ceil((oldest + L.windowMs - now) / 1000)),
        code: "ApplicationThrottled",
        message: "Application is over its MailboxConcurrency limit.",
      };
    }
    if (cur >= L.concurrency) {
      return {
        status: 429,
        retryAfter: 1,
        code: "ApplicationThrottled",
        message: "Application is over its MailboxConcurrency limit.",
      };
    }
    if (uploadBytes > 0) {
      let list = this.uploads.get(mailbox);
      if (!list) {
        list = [];
        this.uploads.set(mailbox, list);
      }
      while (list.length > 0 && (list[0] as [number, number])[0] <= now - L.uploadWindowMs) list.shift();
      const used = list.reduce((s, [, b]) => s + b, 0);
      if (used >= L.uploadBytes) {
        const first = list[0] as [number, number];
        return {
          status: 429,
          retryAfter: Math.max(1, Math.ceil((first[0] + L.uploadWindowMs - now) / 1000)),
          code: "ApplicationThrottled",
          message: "Application is over its IncomingBytes limit.",
        };
      }
      list.push([now, uploadBytes]);
    }
    this.inflight.set(key, cur + 1);
    return { release: () => this.dec(key), concurrency: cur + 1 };
  }

  private dec(key: string): void {
    const v = (this.inflight.get(key) ?? 1) - 1;
    if (v <= 0) this.inflight.delete(key);
    else this.inflight.set(key, v);
  }
}

export interface Faults {
  throttle: boolean;
  rate429: number;
  rate503: number;
  rate504: number;
  resetRate: number;
  latencyMs: number;
  expireDeltaTokens: boolean;
  /** Retry-After seconds on injected 429/503 (default 1). */
  retryAfterSeconds: number;
  /** Only requests whose path (after the version) matches this regular expression get faults. */
  match?: string;
  /** Stop injecting after this many faults (then faults stay configured but inert). */
  maxFaults?: number;
  /** Seed of the fault dice, so a failing run can be replayed. */
  seed: number;
  /** Probability that a delta page also repeats an item already sent earlier in the round (a replay). */
  deltaReplayRate: number;
  /** Optional throttling limits (defaults: Graph's documented Outlook limits). */
  limits?: Partial<ThrottleLimits>;
}

export function defaultFaults(throttle: boolean): Faults {
  return {
    throttle,
    rate429: 0,
    rate503: 0,
    rate504: 0,
    resetRate: 0,
    latencyMs: 0,
    expireDeltaTokens: false,
    deltaReplayRate: 0,
    retryAfterSeconds: 1,
    seed: 1,
  };
}

export type FaultDecision = { kind: "reset" } | { kind: "status"; status: 429 | 503 | 504 } | undefined;

/** The fault dice: a seeded xorshift so runs are reproducible. */
export class FaultInjector {
  faults: Faults;
  injected = 0;
  private state: number;
  private matcher?: RegExp;

  constructor(throttle: boolean) {
    this.faults = defaultFaults(throttle);
    this.state = 1;
  }

  set(f: Faults): void {
    this.faults = f;
    this.injected = 0;
    this.state = f.seed >>> 0 || 1;
    this.matcher = f.match ? new RegExp(f.match, "i") : undefined;
  }

  private roll(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x || 1;
    return x / 4294967296;
  }

  /** A roll of the dice (not counted as an injected fault). */
  chance(p: number): boolean {
    return p > 0 && this.roll() < p;
  }

  applies(path: string): boolean {
    if (this.matcher && !this.matcher.test(path)) return false;
    if (this.faults.maxFaults !== undefined && this.injected >= this.faults.maxFaults) return false;
    return true;
  }

  /** Connection-level faults (reset), decided once per HTTP request. */
  decideConnection(path: string): FaultDecision {
    const f = this.faults;
    if (f.resetRate > 0 && this.applies(path) && this.roll() < f.resetRate) {
      this.injected++;
      return { kind: "reset" };
    }
    return undefined;
  }

  /** Status faults, decided per request (and per `$batch` sub-request). */
  decideStatus(path: string): FaultDecision {
    const f = this.faults;
    if (!(f.rate429 > 0 || f.rate503 > 0 || f.rate504 > 0) || !this.applies(path)) return undefined;
    const r = this.roll();
    let status: 429 | 503 | 504 | undefined;
    if (r < f.rate503) status = 503;
    else if (r < f.rate503 + f.rate504) status = 504;
    else if (r < f.rate503 + f.rate504 + f.rate429) status = 429;
    if (!status) return undefined;
    this.injected++;
    return { kind: "status", status };
  }
}

export interface MailboxStats {
  requests: number;
  throttled: number;
  maxConcurrency: number;
  bytesIn: number;
  bytesOut: number;
}

export class Stats {
  readonly perMailbox = new Map<string, MailboxStats>();
  total: MailboxStats = { requests: 0, throttled: 0, maxConcurrency: 0, bytesIn: 0, bytesOut: 0 };
  statusCounts = new Map<number, number>();

  of(mailbox: string): MailboxStats {
    let s = this.perMailbox.get(mailbox);
    if (!s) {
      s = { requests: 0, throttled: 0, maxConcurrency: 0, bytesIn: 0, bytesOut: 0 };
      this.perMailbox.set(mailbox, s);
    }
    return s;
  }

  reset(): void {
    this.perMailbox.clear();
    this.total = { requests: 0, throttled: 0, maxConcurrency: 0, bytesIn: 0, bytesOut: 0 };
    this.statusCounts.clear();
  }
}
