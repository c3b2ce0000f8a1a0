import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { link, mkdir, open, opendir, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type BlobBackend, BlobNotFoundError, type BlobObjectInfo, type StagedObject } from "./backend";

/**
 * Blob objects as files: `<root>/objects/<key>` (keys fan out as `ab/cd/<sha256>`, so no directory holds
 * more than a few hundred entries even for hundreds of millions of objects), staged in `<root>/tmp/` on the
 * same filesystem.
 *
 * Writes are atomic and durable: the staged file is fsynced, then hard-linked to its final name (link
 * fails if the name exists, so the first writer of a content address wins and nobody ever sees a partly
 * written object), then the directory is fsynced. A crash leaves at most a stale file in tmp/, which
 * `sweepStaging` removes.
 */
export class FsBlobBackend implements BlobBackend {
  readonly objectsDir: string;
  readonly stagingDir: string;
  private stagingDirReady: Promise<unknown> | undefined;

  constructor(readonly root: string) {
    this.objectsDir = path.join(root, "objects");
    this.stagingDir = path.join(root, "tmp");
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
    try {
      const s = await stat(this.objectPath(key));
      return { key, size: s.size, modifiedAt: s.mtime };
    } catch (err) {
      if (isErrno(err, "ENOENT")) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      await unlink(this.objectPath(key));
      return true;
    } catch (err) {
      if (isErrno(err, "ENOENT")) return false;
      throw err;
    }
  }

  async touch(key: string): Promise<void> {
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

/** Makes a new directory entry durable: fsync its directory, and the parents of directories just made. */
async function fsyncDirs(dir: string, firstCreated: string | undefined): Promise<void> {
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

function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
