import { createHash } from "node:crypto";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";

/**
 * Content-addressed storage for bytes that cannot be regenerated (uploaded RFC 5322 messages,
 * composed MIME of JSON-created messages, attachment uploads). In memory for throwaway test
 * instances; in a folder next to the state file for persistent ones, so the state JSON stays small.
 */
export class BlobStore {
  private readonly mem = new Map<string, Buffer>();

  constructor(private readonly dir?: string) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  put(bytes: Buffer): string {
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (this.dir) {
      const file = this.file(sha);
      if (!existsSync(file)) {
        mkdirSync(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, bytes);
        renameSync(tmp, file);
      }
      // Small blobs are also kept in memory: they are read often (list views parse headers).
      if (bytes.length <= 256 * 1024) this.mem.set(sha, bytes);
    } else this.mem.set(sha, bytes);
    return sha;
  }

  has(sha: string): boolean {
    return this.mem.has(sha) || (this.dir !== undefined && existsSync(this.file(sha)));
  }

  get(sha: string): Buffer {
    const m = this.mem.get(sha);
    if (m) return m;
    if (this.dir) {
      const file = this.file(sha);
      if (existsSync(file)) return readFileSync(file);
    }
    throw new Error(`blob ${sha} is missing`);
  }

  /** The bytes when they are held in memory (no file read), else undefined. */
  peek(sha: string): Buffer | undefined {
    return this.mem.get(sha);
  }

  /** Length in bytes, without reading the blob. */
  size(sha: string): number {
    const m = this.mem.get(sha);
    if (m) return m.length;
    if (this.dir) {
      const file = this.file(sha);
      if (existsSync(file)) return statSync(file).size;
    }
    throw new Error(`blob ${sha} is missing`);
  }

  stream(sha: string): Readable {
    const m = this.mem.get(sha);
    if (m) return Readable.from([m]);
    if (!this.dir) throw new Error(`blob ${sha} is missing`);
    return createReadStream(this.file(sha), { highWaterMark: 256 * 1024 });
  }

  private file(sha: string): string {
    return path.join(this.dir as string, sha.slice(0, 2), sha);
  }
}
