import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { sleep } from "../graph/rate-limiter";

/**
 * One run at a time per mailbox, across all workers: a Redis lock (`SET NX PX`) renewed while the run
 * lives. If renewal fails (Redis lost it, or another worker took it after it expired), the run is aborted
 * through `signal` before it writes anything more; the database's one-current-row-per-item index is the
 * last line of defence.
 *
 * A worker killed mid-run leaves its lock until it expires (`ttlMs`). A waiter on the same host checks the
 * holder's pid and takes over at once when that process is gone (the SIGKILL-and-rerun case).
 */
export class MailboxBusyError extends Error {
  override readonly name = "MailboxBusyError";
  constructor(
    readonly mailbox: string,
    readonly holder: string | null,
  ) {
    super(
      `mailbox ${mailbox} is being synced by another run (${holder ?? "unknown holder"}); try again later`,
    );
  }
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type TLockOptions = {
  /** Wait for the current holder (polling) instead of failing at once with MailboxBusyError. */
  wait?: boolean;
  /** Give up waiting after this long. */
  waitTimeoutMs?: number;
  ttlMs?: number;
};

export type TMailboxLock = {
  /** Aborted when the lock is lost. */
  signal: AbortSignal;
  release(): Promise<void>;
};

export async function acquireMailboxLock(
  redis: Redis,
  prefix: string,
  mailboxId: string,
  opts: TLockOptions = {},
): Promise<TMailboxLock> {
  const key = `${prefix}:lock:mailbox:${mailboxId}`;
  const ttl = opts.ttlMs ?? 30_000;
  const token = `${hostname()}/${process.pid}/${randomBytes(6).toString("hex")}`;
  const deadline = Date.now() + (opts.waitTimeoutMs ?? 30 * 60_000);
  for (;;) {
    const ok = await redis.set(key, token, "PX", ttl, "NX");
    if (ok === "OK") break;
    const holder = await redis.get(key);
    if (holder && isDeadLocalHolder(holder)) {
      // Compare-and-delete: only the dead holder's lock, never one a live worker just took.
      await redis.eval(RELEASE, 1, key, holder);
      continue;
    }
    if (!opts.wait || Date.now() > deadline) throw new MailboxBusyError(mailboxId, holder);
    await sleep(200 + Math.random() * 200);
  }

  const controller = new AbortController();
  const timer = setInterval(
    () => {
      redis
        .eval(RENEW, 1, key, token, String(ttl))
        .then((r) => {
          if (Number(r) !== 1) controller.abort(new Error(`lost the lock of mailbox ${mailboxId}`));
        })
        .catch(() => {
          // A Redis hiccup: the next tick retries; the lock survives one missed renewal (ttl = 3 periods).
        });
    },
    Math.max(1000, Math.floor(ttl / 3)),
  );
  timer.unref();
  let released = false;
  return {
    signal: controller.signal,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token).catch(() => {});
    },
  };
}

function isDeadLocalHolder(holder: string): boolean {
  const [host, pidText] = holder.split("/");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}
