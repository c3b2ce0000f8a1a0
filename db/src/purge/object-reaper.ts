import { randomUUID } from "node:crypto";
import { link, mkdir, opendir, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { BlobBackend, BlobObjectInfo } from "../blobs/backend";
import { FsBlobBackend } from "../blobs/fs-backend";

/**
 * Removes blob objects without racing a sync that is reusing them.
 *
 * The race: the purge finds an object unreferenced and old, while a sync that has the same content (another
 * mailbox receiving the same message) finds the object, `touch`es it (BlobBackend.touch: its modification
 * time becomes now) and is about to commit rows that reference it. Checking the time and then deleting
 * leaves a window between the two in which the touch can land. So the filesystem reaper first moves the
 * object aside (an atomic rename into `<blob dir>/purge-aside/`), and only then reads its modification time:
 * - a touch that landed before the move shows in the moved file (same inode): the object is put back
 *   (hard-linked to its name; if a sync meanwhile wrote a fresh copy there, that copy stays) — "in_use";
 * - a sync that looks after the move does not find the object, so it writes a new copy or fails its page
 *   (BlobNotFoundError on touch), and retries; it never commits a reference to a deleted object.
 * A kill between the move and the decision leaves the file in `purge-aside/`; `recover` finishes the job
 * at the next run (puts back what is referenced or recently used, removes the rest).
 *
 * Other backends (none is shipped yet; S3 would use a conditional delete on the object's ETag) fall back to
 * stat-then-delete, which has the small window described above.
 */
export type TRemoveOutcome = "removed" | "in_use" | "missing";

export interface ObjectReaper {
  /** Every committed object (for the orphan sweep). */
  list(): AsyncIterable<BlobObjectInfo>;
  /** Removes `key` unless it was written or reused at or after `unusedSince`. `size`: bytes freed. */
  removeIfUnused(key: string, unusedSince: Date): Promise<{ outcome: TRemoveOutcome; size: number }>;
  /**
   * Finishes what an interrupted run left moved aside: objects `isWanted` (their row exists) or used since
   * `unusedSince` are put back, the others removed.
   */
  recover(
    isWanted: (key: string) => Promise<boolean>,
    unusedSince: Date,
  ): Promise<{ restored: number; removed: number; bytes: number }>;
  /** Removes half-written staging files older than `olderThan` (left by a crash mid-write). */
  sweepStaging(olderThan: Date): Promise<number>;
}

export type TReaperHooks = {
  /** Called right before an object is moved aside (tests make a sync reuse it at that moment). */
  beforeRemove?: (key: string) => Promise<void> | void;
  /** Called while the object is moved aside, before the decision (tests kill the process here). */
  afterMoveAside?: (key: string) => Promise<void> | void;
};

export function reaperFor(backend: BlobBackend, hooks: TReaperHooks = {}): ObjectReaper {
  return backend instanceof FsBlobBackend
    ? new FsObjectReaper(backend, hooks)
    : new StatThenDeleteReaper(backend, hooks);
}

class FsObjectReaper implements ObjectReaper {
  private readonly asideDir: string;
  private asideDirReady: Promise<unknown> | undefined;

  constructor(
    private readonly backend: FsBlobBackend,
    private readonly hooks: TReaperHooks,
  ) {
    this.asideDir = path.join(backend.root, "purge-aside");
  }

  list(): AsyncIterable<BlobObjectInfo> {
    return this.backend.list();
  }

  async removeIfUnused(key: string, unusedSince: Date): Promise<{ outcome: TRemoveOutcome; size: number }> {
    const final = this.backend.objectPath(key);
    this.asideDirReady ??= mkdir(this.asideDir, { recursive: true, mode: 0o700 });
    await this.asideDirReady;
    // The key is kept in the name (URI-encoded) so that `recover` knows where a file belongs.
    const aside = path.join(this.asideDir, `${encodeURIComponent(key)}.${randomUUID()}`);
    await this.hooks.beforeRemove?.(key);
    try {
      await rename(final, aside);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return { outcome: "missing", size: 0 };
      throw err;
    }
    await this.hooks.afterMoveAside?.(key);
    const info = await stat(aside);
    if (info.mtime >= unusedSince) {
      await this.putBack(aside, final);
      return { outcome: "in_use", size: 0 };
    }
    await unlink(aside);
    return { outcome: "removed", size: info.size };
  }

  async recover(
    isWanted: (key: string) => Promise<boolean>,
    unusedSince: Date,
  ): Promise<{ restored: number; removed: number; bytes: number }> {
    const out = { restored: 0, removed: 0, bytes: 0 };
    let dir: Awaited<ReturnType<typeof opendir>>;
    try {
      dir = await opendir(this.asideDir);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return out;
      throw err;
    }
    for await (const entry of dir) {
      if (!entry.isFile()) continue;
      const file = path.join(this.asideDir, entry.name);
      const key = decodeURIComponent(entry.name.slice(0, entry.name.lastIndexOf(".")));
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        info = await stat(file);
      } catch (err) {
        if (isErrno(err, "ENOENT")) continue;
        throw err;
      }
      if (info.mtime >= unusedSince || (await isWanted(key))) {
        await this.putBack(file, this.backend.objectPath(key));
        out.restored++;
      } else {
        await unlink(file);
        out.removed++;
        out.bytes += info.size;
      }
    }
    return out;
  }

  sweepStaging(olderThan: Date): Promise<number> {
    return this.backend.sweepStaging(olderThan);
  }

  /** Links the moved file back to its name; a copy written there meanwhile wins (same content). */
  private async putBack(aside: string, final: string): Promise<void> {
    await mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
    try {
      await link(aside, final);
    } catch (err) {
      if (!isErrno(err, "EEXIST")) throw err;
    }
    await unlink(aside);
  }
}

class StatThenDeleteReaper implements ObjectReaper {
  constructor(
    private readonly backend: BlobBackend,
    private readonly hooks: TReaperHooks,
  ) {}

  list(): AsyncIterable<BlobObjectInfo> {
    return this.backend.list();
  }

  async removeIfUnused(key: string, unusedSince: Date): Promise<{ outcome: TRemoveOutcome; size: number }> {
    await this.hooks.beforeRemove?.(key);
    const info = await this.backend.stat(key);
    if (!info) return { outcome: "missing", size: 0 };
    if (info.modifiedAt >= unusedSince) return { outcome: "in_use", size: 0 };
    return (await this.backend.delete(key))
      ? { outcome: "removed", size: info.size }
      : { outcome: "missing", size: 0 };
  }

  async recover(): Promise<{ restored: number; removed: number; bytes: number }> {
    return { restored: 0, removed: 0, bytes: 0 };
  }

  async sweepStaging(): Promise<number> {
    return 0;
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as NodeJS.ErrnoException).code === code;
}
