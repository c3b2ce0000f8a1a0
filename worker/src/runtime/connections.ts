import { Redis, type RedisOptions } from "ioredis";

/**
 * Redis connections as BullMQ's production guide asks (style anchors P7):
 * - producer (Queue, commands, publishing): `enableOfflineQueue: false` and one retry, so a caller (the
 *   portal) gets an error at once when Redis is down instead of hanging;
 * - worker (BullMQ Worker, blocking commands): `maxRetriesPerRequest: null`, it waits for Redis to return.
 * Every connection has an error listener: ioredis reconnects by itself, an unhandled 'error' would crash.
 */
export function producerConnection(
  url: string,
  onError?: (e: Error) => void,
  extra: RedisOptions = {},
): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, ...extra });
  redis.on("error", (e) => onError?.(e));
  return redis;
}

export function workerConnection(url: string, onError?: (e: Error) => void): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", (e) => onError?.(e));
  return redis;
}

/** Waits until a producer connection is ready (its offline queue is off, so commands before would fail). */
export async function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis is not answering after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}
