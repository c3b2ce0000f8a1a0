import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { link, mkdir, open, opendir, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  BlobIntegrityError,
  BlobNotFoundError,
  type BlobObjectInfo,
  type PackingBlobBackend,
  type StagedObject,
} from "./backend";
import {
  fsyncDirs,
  isPackId,
  isPackKey,
  type PackLocation,
  PackWriter,
  type PackWriterOptions,
  packKey,
  packPath,
  parsePackKey,
} from "./packs";

/**
 * Blob objects as files: `<root>/objects/<key>` (keys fan out as `ab/cd/<sha256>`, so no directory holds
 * more than a few hundred entries even for hundreds of millions of objects), staged in `<root>/tmp/` on the
 * same filesystem.
 *
 * Writes are atomic and durable: the staged file is fsynced, then hard-linked to its final name (link
 * fails if the name exists, so the first writer of a content address wins and nobody ever sees a partly
 * written object), then the directory is fsynced. A crash leaves at most a stale file in tmp/, which
 * `sweepStaging` removes.
 *
 * Small objects can instead be appended to pack files, `<root>/packs/ab/<uuid>.pack` (`appendPacked`,
 * packs.ts has the layout and the durability argument); their keys are `pack/<uuid>/<offset>/<length>`,
 * which `get`, `stat` and `exists` read as a byte range of the pack. `list` lists only per-object files;
 * `listPacks` lists packs (the purge deletes and compacts whole packs, never single packed objects).
 */
export type FsBlobBackendOptions = { packs?: PackWriterOptions };

export class FsBlobBackend implements PackingBlobBackend {
  readonly objectsDir: string;
  readonly stagingDir: string;
  readonly packsDir: string;
  private stagingDirReady: Promise<unknown> | undefined;
  private packWriter: PackWriter | undefined;

  constructor(
    readonly root: string,
    private readonly options: FsBlobBackendOptions = {},
  ) {
    this.objectsDir = path.join(root, "objects");
    this.stagingDir = path.join(root, "tmp");
    this.packsDir = path.join(root, "packs");
  }

  /** This backend's pack writer (one per backend instance, so one pack being written per process). */
  get packs(): PackWriter {
    this.packWriter ??= new PackWriter(this.packsDir, this.options.packs);
    return this.packWriter;
  }

  async appendPacked(sha256: string, object: Buffer): Promise<string> {
    return packKey(await this.packs.append(sha256, object));
  }

  /** A separate writer with its own new pack (the purge's compaction); the caller closes it. */
  newPackWriter(): PackWriter {
    return new PackWriter(this.packsDir, this.options.packs);
  }

  /** Finishes pending pack appends and closes the pack being written. */
  async close(): Promise<void> {
    await this.packWriter?.close();
    this.packWriter = undefined;
  }

  /** Every pack file (complete or being written), in no particular order. */
  async *listPacks(): AsyncIterable<{ packId: string; size: number; modifiedAt: Date }> {
    for await (const info of walk(this.packsDir, "")) {
      const name = info.key.split("/").at(-1) ?? "";
      const id = name.endsWith(".pack") ? name.slice(0, -".pack".length) : "";
      if (isPackId(id)) yield { packId: id, size: info.size, modifiedAt: info.modifiedAt };
    }
  }

  packPath(packId: string): string {
    return packPath(this.packsDir, packId);
  }

  /** Removes a pack file and makes the removal durable; false when it did not exist. */
  async deletePack(packId: string): Promise<boolean> {
    const file = this.packPath(packId);
    try {
      await unlink(file);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw err;
    }
    await fsyncDirs(path.dirname(file), undefined);
    return true;
  }

  /** The raw stored bytes of a packed object (one positioned read); BlobIntegrityError when cut short. */
  async readPacked(loc: PackLocation): Promise<Buffer> {
    const handle = await this.openPack(loc);
    try {
      const buf = Buffer.allocUnsafe(loc.length);
      let done = 0;
      while (done < loc.length) {
        const { bytesRead } = await handle.read(buf, done, loc.length - done, loc.offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      if (done < loc.length) throw truncated(loc);
      return buf;
    } finally {
      await handle.close();
    }
  }

  private async openPack(loc: PackLocation) {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.packPath(loc.packId), "r");
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw new BlobNotFoundError(packKey(loc));
      throw err;
    }
    try {
      // A pack cut short (a torn tail after a crash, a truncated copy) fails only the objects it cut.
      if ((await handle.stat()).size < loc.offset + loc.length) throw truncated(loc);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return handle;
  }

  async stage(): Promise<StagedObject> {
    await this.ensureStagingDir();
    const tmp = path.join(this.stagingDir, `${randomUUID()}.tmp`);
    // flush: the data is fsynced before the descriptor closes, so a committed object survives a power cut.
    const writable = createWriteStream(tmp, { flags: "wx", mode: 0o600, flush: true });
    let settled = false;
    return {
      writable,
      commit: async (key) => {
        if (settled) throw new Error("staged blob object already committed or aborted");
        settled = true;
        await closed(writable);
        return this.publish(tmp, key);
      },
      abort: async () => {
        settled = true;
        writable.destroy();
        await closed(writable).catch(() => {});
        await rm(tmp, { force: true });
      },
    };
  }

  async put(
    key: string,
    source: Uint8Array | Readable | AsyncIterable<Uint8Array>,
  ): Promise<{ created: boolean }> {
    if (source instanceof Uint8Array) {
      // Small objects in memory: one write call instead of a stream (most messages are a few KB).
      await this.ensureStagingDir();
      const tmp = path.join(this.stagingDir, `${randomUUID()}.tmp`);
      try {
        await writeFile(tmp, source, { flag: "wx", mode: 0o600, flush: true });
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return this.publish(tmp, key);
    }
    const staged = await this.stage();
    try {
      await pipeline(source, staged.writable);
    } catch (err) {
      await staged.abort();
      throw err;
    }
    return staged.commit(key);
  }

  private async ensureStagingDir(): Promise<void> {
    this.stagingDirReady ??= mkdir(this.stagingDir, { recursive: true, mode: 0o700 });
    try {
      await this.stagingDirReady;
    } catch (err) {
      this.stagingDirReady = undefined;
      throw err;
    }
  }

  /** Moves a complete, fsynced temp file to `key` unless that exists (then the temp file is dropped). */
  private async publish(tmp: string, key: string): Promise<{ created: boolean }> {
    const final = this.objectPath(key);
    const dir = path.dirname(final);
    const firstCreated = await mkdir(dir, { recursive: true, mode: 0o700 });
    let created = true;
    try {
      await link(tmp, final);
    } catch (err) {
      if (!isErrno(err, "EEXIST")) {
        await rm(tmp, { force: true });
        throw err;
      }
      created = false;
    }
    await unlink(tmp);
    if (created) await fsyncDirs(dir, firstCreated);
    return { created };
  }

  async get(key: string): Promise<Readable> {
    const loc = parsePackKey(key);
    if (loc) {
      const handle = await this.openPack(loc);
      if (loc.length === 0) {
        await handle.close();
        return Readable.from([]);
      }
      return handle.createReadStream({
        start: loc.offset,
        end: loc.offset + loc.length - 1,
        highWaterMark: 256 * 1024,
      });
    }
    try {
      const handle = await open(this.objectPath(key), "r");
      return handle.createReadStream({ highWaterMark: 256 * 1024 });
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: string): Promise<BlobObjectInfo | undefined> {
    const loc = parsePackKey(key);
    if (loc) {
      try {
        const s = await stat(this.packPath(loc.packId));
        if (s.size < loc.offset + loc.length) return undefined;
        return { key, size: loc.length, modifiedAt: s.mtime };
      } catch (err) {
        if (isErrno(err, "ENOENT")) return undefined;
        throw err;
      }
    }
    try {
      const s = await stat(this.objectPath(key));
      return { key, size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (isPackKey(key)) {
      throw new Error(`packed objects are not deleted one by one (the purge removes whole packs): ${key}`);
    }
    try {
      await unlink(this.objectPath(key));
      return true;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw err;
    }
  }

  async touch(key: string): Promise<void> {
    // A pack stays while any row references one of its objects: reuse needs no mark.
    if (isPackKey(key)) return;
    const now = new Date();
    await utimes(this.objectPath(key), now, now);
  }

  async *list(): AsyncIterable<BlobObjectInfo> {
    yield* walk(this.objectsDir, "");
  }

  /** Removes staged files older than `olderThan` (left by a crash mid-write). Returns how many. */
  async sweepStaging(olderThan: Date): Promise<number> {
    let removed = 0;
    for await (const info of walk(this.stagingDir, "")) {
      if (info.modifiedAt < olderThan) {
        await rm(path.join(this.stagingDir, info.key), { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** The file of a key; keys are relative slash-separated names, never `..` or absolute. */
  objectPath(key: string): string {
    if (isPackKey(key)) throw new Error(`a packed object has no file of its own: ${key}`);
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(key)) {
      throw new Error(`invalid blob storage key: ${JSON.stringify(key)}`);
    }
    return path.join(this.objectsDir, ...key.split("/"));
  }
}

async function* walk(dir: string, prefix: string): AsyncGenerator<BlobObjectInfo> {
  let entries: Awaited<ReturnType<typeof opendir>>;
  try {
    entries = await opendir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return;
    throw err;
  }
  for await (const entry of entries) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walk(full, key);
    } else if (entry.isFile()) {
      try {
        const s = await stat(full);
        yield { key, size: s.size, modifiedAt: s.mtime };
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw err; // deleted while listing
      }
    }
  }
}

/** Waits until the write stream's descriptor is closed (with `flush: true`, after its fsync). */
async function closed(stream: WriteStream): Promise<void> {
  if (stream.closed) {
    if (stream.errored) throw stream.errored;
    return;
  }
  await once(stream, "close");
  if (stream.errored) throw stream.errored;
}

function truncated(loc: PackLocation): BlobIntegrityError {
  return new BlobIntegrityError(
    `blob object ${packKey(loc)} is truncated: its pack ends before the object does (a torn pack tail)`,
  );
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
