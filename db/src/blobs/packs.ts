import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open } from "node:fs/promises";
import path from "node:path";

/**
 * Pack files: many small blob objects appended to one file, made durable together (group commit).
 *
 * Why: one file per object costs a temp file, an fsync, a link, an unlink and a directory fsync per
 * message (~1 ms of CPU, most of it in the kernel); appending to a pack costs one write and one fdatasync
 * per *batch* of concurrent puts. Backup tools (restic, Kopia, borg) pack small blobs for the same reason,
 * and an object store backend wants few large objects rather than millions of 20 KB ones.
 *
 * Layout, under the blob root: `packs/<first two hex digits of the id>/<uuid>.pack`.
 *
 * | offset | size | field                                                           |
 * | ------ | ---- | --------------------------------------------------------------- |
 * | 0      | 4    | magic `CFPK`                                                    |
 * | 4      | 1    | pack format version, 1                                          |
 * | 5      | 3    | reserved, 0                                                     |
 * | 8      | …    | records, back to back                                           |
 *
 * A record is `u32 big-endian length n | 32 bytes: sha256 of the original bytes | n bytes: the blob object`.
 * The blob object is byte for byte the one-file-per-object format (format.ts: header, ciphertext, tag):
 * reading a packed object is a ranged read of those n bytes. The length and sha256 in front are not needed
 * to read (the storage key has offset and length); they make a pack self-describing, so the sha256 →
 * location index could be rebuilt from the packs alone if the database were lost (no tool does this yet).
 *
 * Storage key of a packed object: `pack/<uuid>/<offset of the object>/<length of the object>`.
 *
 * Durability argument:
 * - A pack is written by exactly one PackWriter (one process) and only ever appended to; a process never
 *   opens a pack it did not create (every process, and every restart, starts a new one). So a crash can
 *   leave at most a torn tail: records whose append was not yet acknowledged, which nobody references.
 * - `append` resolves only after the write and an fdatasync covering it returned (fdatasync also persists
 *   the file size). The pack's directory entry was fsynced when the pack was created. So once the storage
 *   key is handed out, the bytes it names survive a power cut, and the caller may commit the key.
 * - After a failed write or sync the pack is abandoned (its tail is in an unknown state) and the next
 *   batch starts a new pack; the failed batch's callers get the error.
 * - If the retention purge deleted the pack file while this writer still had it open (only possible when
 *   none of its objects were referenced for the whole grace period), the batch just synced went to an
 *   unlinked file: the writer notices (nlink 0 after the sync), abandons the pack and writes the batch again
 *   into a new one before resolving.
 */

export const PACK_MAGIC = Buffer.from("CFPK", "ascii");
export const PACK_FORMAT_VERSION = 1;
export const PACK_HEADER_BYTES = 8;
/** Bytes in front of each object: length (4) + sha256 (32). */
export const RECORD_PREFIX_BYTES = 36;
/** A writer starts a new pack once the current one would grow past this (default 64 MiB). */
export const DEFAULT_MAX_PACK_BYTES = 64 * 1024 * 1024;

export type PackLocation = { packId: string; offset: number; length: number };

const PACK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PACK_KEY = /^pack\/([0-9a-f-]{36})\/(\d{1,15})\/(\d{1,15})$/;

export function packKey(loc: PackLocation): string {
  return `pack/${loc.packId}/${loc.offset}/${loc.length}`;
}

/** The location a pack storage key names, or undefined when the key is not a pack key. */
export function parsePackKey(key: string): PackLocation | undefined {
  const m = PACK_KEY.exec(key);
  if (!m || !PACK_ID.test(m[1]!)) return undefined;
  return { packId: m[1]!, offset: Number(m[2]), length: Number(m[3]) };
}

export function isPackKey(key: string): boolean {
  return key.startsWith("pack/");
}

export function isPackId(id: string): boolean {
  return PACK_ID.test(id);
}

/** The file of a pack under `packsDir`. */
export function packPath(packsDir: string, packId: string): string {
  if (!PACK_ID.test(packId)) throw new Error(`invalid pack id: ${JSON.stringify(packId)}`);
  return path.join(packsDir, packId.slice(0, 2), `${packId}.pack`);
}

export type PackWriterOptions = {
  maxPackBytes?: number;
  /** Makes written data durable (default `fdatasync`). Tests count calls here. */
  sync?: (handle: FileHandle) => Promise<void>;
  /** Makes a new directory entry durable (default: fsync of the directory and of any parent just made). */
  syncDirs?: (dir: string, firstCreated: string | undefined) => Promise<void>;
};

type Pending = {
  sha256: Buffer;
  object: Buffer;
  resolve: (loc: PackLocation) => void;
  reject: (err: unknown) => void;
};

type OpenPack = { id: string; handle: FileHandle; size: number };

/**
 * Appends objects to this writer's own pack files with group commit: every `append` that arrives while a
 * batch is being written and synced waits for the next batch, which takes everything queued by then into
 * one write and one fdatasync. Under load, many puts share a sync; alone, a put pays one write + one sync.
 */
export class PackWriter {
  private readonly maxPackBytes: number;
  private readonly sync: (handle: FileHandle) => Promise<void>;
  private readonly syncDirs: (dir: string, firstCreated: string | undefined) => Promise<void>;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private current: OpenPack | undefined;
  private isClosed = false;
  /** Counters for tests and benchmarks. */
  readonly stats = { batches: 0, syncs: 0, objects: 0, packsCreated: 0 };

  constructor(
    readonly packsDir: string,
    options: PackWriterOptions = {},
  ) {
    this.maxPackBytes = options.maxPackBytes ?? DEFAULT_MAX_PACK_BYTES;
    this.sync = options.sync ?? ((h) => h.datasync());
    this.syncDirs = options.syncDirs ?? fsyncDirs;
  }

  /** The pack being written to now (undefined before the first append or after a failure). */
  get currentPackId(): string | undefined {
    return this.current?.id;
  }

  /** Appends one object; resolves to its location once it is durable. */
  append(sha256Hex: string, object: Buffer): Promise<PackLocation> {
    if (this.isClosed) return Promise.reject(new Error("the pack writer is closed"));
    if (object.length > 0xffffffff) return Promise.reject(new Error("object too large for a pack"));
    return new Promise<PackLocation>((resolve, reject) => {
      this.queue.push({ sha256: Buffer.from(sha256Hex, "hex"), object, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Waits for queued appends, then closes the current pack. Appends after this are rejected. */
  async close(): Promise<void> {
    this.isClosed = true;
    await this.flushing;
    const pack = this.current;
    this.current = undefined;
    await pack?.handle.close();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        await this.writeBatch(batch, true);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeBatch(batch: Pending[], mayRetry: boolean): Promise<void> {
    let bytes = 0;
    for (const p of batch) bytes += RECORD_PREFIX_BYTES + p.object.length;
    let pack: OpenPack;
    try {
      pack = await this.packFor(bytes);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    const parts: Buffer[] = [];
    const locations: PackLocation[] = [];
    let at = pack.size;
    for (const p of batch) {
      const prefix = Buffer.allocUnsafe(RECORD_PREFIX_BYTES);
      prefix.writeUInt32BE(p.object.length, 0);
      p.sha256.copy(prefix, 4);
      parts.push(prefix, p.object);
      locations.push({ packId: pack.id, offset: at + RECORD_PREFIX_BYTES, length: p.object.length });
      at += RECORD_PREFIX_BYTES + p.object.length;
    }
    let isUnlinked = false;
    try {
      // One buffer, one positioned write (a loop only if the kernel writes less): the copy costs far less
      // than a syscall per object, and positioned writes keep the offsets ours even after a short write.
      const data = Buffer.concat(parts, bytes);
      for (let done = 0; done < data.length; ) {
        const { bytesWritten } = await pack.handle.write(data, done, data.length - done, pack.size + done);
        done += bytesWritten;
      }
      await this.sync(pack.handle);
      this.stats.syncs++;
      isUnlinked = (await pack.handle.stat()).nlink === 0;
    } catch (err) {
      await this.abandon(pack);
      for (const p of batch) p.reject(err);
      return;
    }
    if (isUnlinked) {
      // The purge removed this pack (it was idle and held nothing referenced): these bytes are in a file
      // nobody can open any more. Write them again into a new pack.
      await this.abandon(pack);
      if (mayRetry) return this.writeBatch(batch, false);
      const err = new Error(`pack ${pack.id} was removed while being written`);
      for (const p of batch) p.reject(err);
      return;
    }
    pack.size = at;
    this.stats.batches++;
    this.stats.objects += batch.length;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(locations[i]!);
  }

  /** The pack to append `bytes` to: the current one, or a new one when there is none or it is full. */
  private async packFor(bytes: number): Promise<OpenPack> {
    const cur = this.current;
    if (cur && (cur.size + bytes <= this.maxPackBytes || cur.size === PACK_HEADER_BYTES)) return cur;
    if (cur) {
      this.current = undefined;
      await cur.handle.close();
    }
    const id = randomUUID();
    const file = packPath(this.packsDir, id);
    const dir = path.dirname(file);
    const firstCreated = await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await open(file, "wx", 0o600);
    try {
      const header = Buffer.alloc(PACK_HEADER_BYTES);
      PACK_MAGIC.copy(header, 0);
      header[4] = PACK_FORMAT_VERSION;
      await handle.write(header, 0, header.length, 0);
      // The header reaches the disk with the first batch's fdatasync; the name must be durable now.
      await this.syncDirs(dir, firstCreated);
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    this.stats.packsCreated++;
    this.current = { id, handle, size: PACK_HEADER_BYTES };
    return this.current;
  }

  private async abandon(pack: OpenPack): Promise<void> {
    if (this.current === pack) this.current = undefined;
    await pack.handle.close().catch(() => {});
  }
}

/** Makes a new directory entry durable: fsync its directory, and the parents of directories just made. */
export async function fsyncDirs(dir: string, firstCreated: string | undefined): Promise<void> {
  const dirs = [dir];
  if (firstCreated) {
    for (
      let d = dir;
      d !== path.dirname(firstCreated) && d.length >= firstCreated.length;
      d = path.dirname(d)
    ) {
      dirs.push(path.dirname(d));
    }
  }
  for (const d of new Set(dirs)) {
    const handle = await open(d, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
