import "server-only";
import { createBlobStore } from "@coffer/db/blobs/config";
import type { BlobStore } from "@coffer/db/blobs/store";
import { createDb, type Db } from "@coffer/db/client";
import { blobEnv, portalEnv } from "./env";

/**
 * One PostgreSQL pool and one blob store per server process. Kept on globalThis because Next may evaluate
 * this module more than once (separate bundles for pages and route handlers share the process).
 */
const holder = globalThis as typeof globalThis & { __cofferDb?: Db; __cofferBlobs?: BlobStore };

export function db(): Db {
  holder.__cofferDb ??= createDb(portalEnv().DATABASE_URL, 10);
  return holder.__cofferDb;
}

export function blobStore(): BlobStore {
  holder.__cofferBlobs ??= createBlobStore(blobEnv(), { db: db() });
  return holder.__cofferBlobs;
}
