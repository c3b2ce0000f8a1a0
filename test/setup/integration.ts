import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import "./provided";

export { isLoopbackUrl } from "./loopback";

/**
 * What integration tests get from the global setup (test/setup/integration-global.ts):
 * a fresh, migrated database for this run on the stack's PostgreSQL, the stack's Redis, and a per-run
 * namespace for Redis keys. `DATABASE_URL` and `REDIS_URL` are also set in each test process's
 * environment, so code under test that loads its settings normally uses them.
 */

/** The URL of this run's database (`coffer_it_<random>`), migrated to the latest schema. */
export const testDatabaseUrl = (): string => inject("databaseUrl");

export const testRedisUrl = (): string => inject("redisUrl");

let counter = 0;

/**
 * A Redis key prefix no other test (in this run or a parallel one) uses, e.g. `coffer-it:1a2b3c4d5e:sync:7-9f8e7d`.
 * Use it as BullMQ's `prefix`, or `${prefix}:` as ioredis's `keyPrefix`. Keys under it are deleted when the
 * run ends.
 */
export function uniqueRedisPrefix(label = "t"): string {
  counter += 1;
  return `${inject("redisPrefix")}:${label}:${process.pid}-${counter}-${randomBytes(3).toString("hex")}`;
}
