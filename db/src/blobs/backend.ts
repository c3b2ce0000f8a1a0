import type { Readable, Writable } from "node:stream";

/**
 * Where encrypted blob objects live, addressed by a storage key (`ab/cd/<sha256>` for content-addressed
 * blobs). The filesystem backend is the default; an S3-compatible backend implements the same contract:
 * `stage()` ↔ a multipart upload to a temporary key, `commit()` ↔ a conditional copy (If-None-Match) to the
 * final key and delete of the temporary one, `list()` ↔ ListObjectsV2, `touch()` ↔ a copy onto itself.
 *
 * The store never needs to know the final key before all bytes are written (the key is the sha256 of the
 * original bytes, known only at the end), hence the staging step.
 */
export interface BlobBackend {
  /** Starts writing a new object under a temporary name; nothing is visible until `commit`. */
  stage(): Promise<StagedObject>;
  /**
   * Writes `source` to `key` (staged, then committed: an existing object at `key` is kept); resolves to
   * whether it created the object.
   */
  put(key: string, source: Uint8Array | Readable | AsyncIterable<Uint8Array>): Promise<{ created: boolean }>;
  /** A stream of the stored bytes; rejects with `BlobNotFoundError` when there is no such object. */
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  stat(key: string): Promise<BlobObjectInfo | undefined>;
  /** Removes the object; resolves to false when it did not exist. */
  delete(key: string): Promise<boolean>;
  /** Marks the object as used now (its `modifiedAt`), so a purge with a grace period leaves it alone. */
  touch(key: string): Promise<void>;
  /** Every committed object (not staged ones), in no particular order. For the purge job. */
  list(): AsyncIterable<BlobObjectInfo>;
}

export interface StagedObject {
  /** Write the object's bytes here, then end it (a pipeline does both). */
  readonly writable: Writable;
  /**
   * Makes the staged bytes durable and visible at `key`, unless an object already exists there: then the
   * existing one wins (content-addressed objects are interchangeable) and the staged bytes are discarded.
   */
  commit(key: string): Promise<{ created: boolean }>;
  /** Discards the staged bytes. Safe to call after a failure, and more than once. */
  abort(): Promise<void>;
}

export type BlobObjectInfo = { key: string; size: number; modifiedAt: Date };

/**
 * A backend that can also append small objects to pack files (packs.ts) with group commit: the promise
 * resolves to the object's storage key (`pack/<uuid>/<offset>/<length>`) once the bytes are durable.
 * `get`/`stat`/`exists` accept those keys too (a ranged read of the pack).
 */
export interface PackingBlobBackend extends BlobBackend {
  appendPacked(sha256: string, object: Buffer): Promise<string>;
}

export function canPack(backend: BlobBackend): backend is PackingBlobBackend {
  return typeof (backend as Partial<PackingBlobBackend>).appendPacked === "function";
}

/** Stored bytes that are not what was written: corrupt, modified, truncated (a torn pack tail). */
export class BlobIntegrityError extends Error {
  override readonly name = "BlobIntegrityError";
}

export class BlobNotFoundError extends Error {
  override readonly name = "BlobNotFoundError";
  constructor(readonly key: string) {
    super(`blob object ${key} does not exist`);
  }
}
