import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "ioredis";

/**
 * One execution at a time per task, across the workers of a site: a scheduled tick or a manual run that
 * finds the task running is dropped (the running execution covers it). Same design as the mailbox lock
 * (worker/src/sync/mailbox-lock.ts): `SET NX PX`, renewed while the run lives, and taken over at once
 * from a holder on this host whose process is gone (a killed worker).
 *
 * The two locks compose without deadlock: a run holds its task lock and then one mailbox lock at a time
 * per parallel slot, and a mailbox lock is never held while waiting for anything else.
 */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type TTaskLock = { release(): Promise<void> };

export function taskLockKey(prefix: string, taskId: string): string {
  return `${prefix}:lock:task:${taskId}`;
}

/** The lock, or null when another live run holds it. */
export async function tryTaskLock(
  redis: Redis,
  prefix: string,
  taskId: string,
  ttlMs = 60_000,
): Promise<TTaskLock | null> {
  const key = taskLockKey(prefix, taskId);
  const token = `${hostname()}/${process.pid}/${randomBytes(6).toString("hex")}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if ((await redis.set(key, token, "PX", ttlMs, "NX")) === "OK") {
      const timer = setInterval(
        () => void redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => {}),
        Math.floor(ttlMs / 3),
      );
      timer.unref();
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          clearInterval(timer);
          await redis.eval(RELEASE, 1, key, token).catch(() => {});
        },
      };
    }
    const holder = await redis.get(key);
    if (!holder || !isDeadLocalHolder(holder)) return null;
    await redis.eval(RELEASE, 1, key, holder);
  }
  return null;
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
