import { createCipheriv, createDecipheriv, createHash, type DecipherGCM } from "node:crypto";
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { type BlobBackend, BlobIntegrityError, BlobNotFoundError, canPack } from "./backend";
import {
  BlobFormatError,
  type BlobHeader,
  type BlobKey,
  type Compression,
  newHeader,
  objectKey,
  parseHeader,
  TAG_BYTES,
} from "./format";
import { isPackKey } from "./packs";

/**
 * The content-addressed, compressed, encrypted blob store.
 *
 * - Address: the sha256 (lower-case hex) of the ORIGINAL bytes.
 * - Small objects (`putBuffer`, messages up to 1 MiB) go into pack files when the store has an index and
 *   the backend can pack (packs.ts): storage key `pack/<uuid>/<offset>/<length>`, durable when the put
 *   resolves, many concurrent puts sharing one fdatasync. Without an index (or backend support) they are
 *   written one file per object like large ones.
 * - Large objects (`putStream`): one pass over the source — hash, compress, encrypt — into a staged
 *   object, which is then committed under its address, storage key `ab/cd/<sha256>`. If that address
 *   already holds an object, the new one is discarded and the existing one is reported (`isNew: false`).
 * - Dedup and reads by sha256: the index (the `blobs` table: sha256 → storage key, `dbBlobIndex` in
 *   rows.ts) first, then the per-object address, which is where everything written before packs lives.
 * - Read (`getStream`): decrypt, decompress, and verify the GCM tag and the sha256 at the end. The bytes of
 *   an object are the same (format.ts) whether they sit in their own file or in a pack.
 * - Memory: bounded by stream buffers (a few hundred KB), whatever the blob size.
 *
 * The store writes no rows. The sync engine writes the blob first and then inserts its row
 * (`insertBlobRow`, ON CONFLICT DO NOTHING) in its page transaction; if that transaction rolls back, the
 * object stays behind unreferenced, which is harmless: a per-object file is found again by the next attempt
 * (and the purge removes unreferenced ones after a grace period; they are `touch`ed when reused), packed
 * bytes are simply dead space that the purge reclaims by deleting or compacting the pack.
 */

export type StoredBlob = {
  sha256: string;
  /** Original size in bytes. */
  size: number;
  /** Size of the stored object (header + ciphertext + tag). */
  storedSize: number;
  storageKey: string;
  keyId: string;
  /** False when identical content was already stored (and the new copy discarded). */
  isNew: boolean;
};

/**
 * Where a content address is stored (the `blobs` table; `dbBlobIndex` in rows.ts). Only ever read by the
 * store: rows are written by the caller's transaction, which is what makes a key committed.
 */
export interface BlobIndex {
  find(sha256: string): Promise<TIndexedBlob | undefined>;
}

export type TIndexedBlob = { storageKey: string; storedSize: number; keyId: string };

export type BlobStoreOptions = {
  backend: BlobBackend;
  /** sha256 → storage key. With it (and a backend that can pack) small objects are packed. */
  index?: BlobIndex;
  /** The first key encrypts new objects; all of them decrypt (old keys stay here after a rotation). */
  keys: readonly BlobKey[];
  /**
   * brotli at quality 2 by default. Measured with brotliCompressSync (CPU time per message on this 2-core
   * machine, compressed/original size):
   * - real mail, /work/shared/fixtures/mime (296 messages, 13.4 KB average):
   *   q1 0.123 ms 0.460 · q2 0.117 ms 0.455 · q4 0.222 ms 0.449
   * - generated mail (m365-sim, 2,000 messages, 24 KB average, mostly incompressible payload):
   *   q1 0.188 ms 0.711 · q2 0.215 ms 0.709 · q4 0.448 ms 0.702
   * q2 costs about what q1 costs and stores within ~1 % of q4; q4 costs twice as much CPU (and q4 already beat
   * gzip -6 on both counts when it was chosen). Objects record their compression, not the quality, so
   * changing this never affects reading.
   */
  compression?: Compression;
  brotliQuality?: number;
};

export class BlobKeyError extends Error {
  override readonly name = "BlobKeyError";
}

export { BlobIntegrityError };

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The storage key of a content address: two levels of fan-out, then the full hash. */
export function storageKeyFor(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a lower-case hex sha256: ${sha256}`);
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

export class BlobStore {
  readonly backend: BlobBackend;
  private readonly writeKey: BlobKey;
  private readonly keysById: Map<string, BlobKey>;
  private readonly compression: Compression;
  private readonly brotliQuality: number;
  readonly index: BlobIndex | undefined;
  private readonly isPacking: boolean;

  constructor(options: BlobStoreOptions) {
    const [writeKey] = options.keys;
    if (!writeKey) throw new BlobKeyError("the blob store needs at least one encryption key");
    this.backend = options.backend;
    this.writeKey = writeKey;
    this.keysById = new Map(options.keys.map((k) => [k.id, k]));
    this.compression = options.compression ?? "brotli";
    this.brotliQuality = options.brotliQuality ?? 2;
    this.index = options.index;
    // Packed objects are findable only through the index: no index, no packing.
    this.isPacking = options.index !== undefined && canPack(options.backend);
  }

  /** Whether `putBuffer` appends to pack files. */
  get isPackingSmallObjects(): boolean {
    return this.isPacking;
  }

  /** The id of the key new objects are encrypted with. */
  get currentKeyId(): string {
    return this.writeKey.id;
  }

  /**
   * Stores a stream of original bytes (never held whole in memory). Rejects, leaving nothing behind but
   * possibly a staged temp file, if the source errors.
   */
  async putStream(source: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<StoredBlob> {
    const header = newHeader(this.writeKey.id, this.compression);
    const cipher = createCipheriv("aes-256-gcm", objectKey(this.writeKey, header.salt), header.nonce);
    cipher.setAAD(header.bytes);
    const hash = createHash("sha256");
    let size = 0;
    let storedSize = 0;

    const input = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
    const staged = await this.backend.stage();
    try {
      await pipeline(
        input,
        async function* hashOriginal(chunks: AsyncIterable<unknown>) {
          for await (const chunk of chunks) {
            const bytes = toBuffer(chunk);
            hash.update(bytes);
            size += bytes.length;
            yield bytes;
          }
        },
        this.compressor(),
        cipher,
        async function* frame(chunks: AsyncIterable<Buffer>) {
          storedSize += header.bytes.length;
          yield header.bytes;
          for await (const chunk of chunks) {
            storedSize += chunk.length;
            yield chunk;
          }
          // The cipher stream has ended here, so final() has run and the tag exists.
          storedSize += TAG_BYTES;
          yield cipher.getAuthTag();
        },
        staged.writable,
      );
    } catch (err) {
      await staged.abort();
      throw err;
    }

    const sha256 = hash.digest("hex");
    const indexed = await this.findIndexed(sha256);
    if (indexed) {
      await staged.abort();
      return { ...indexed, size };
    }
    const storageKey = storageKeyFor(sha256);
    const { created } = await staged.commit(storageKey);
    if (created) return { sha256, size, storedSize, storageKey, keyId: this.writeKey.id, isNew: true };
    return { ...(await this.describeExisting(sha256, storageKey)), size };
  }

  /**
   * Stores bytes already in memory. Hashes first, so content that is already stored is not compressed,
   * encrypted or written again (the common case when many mailboxes hold the same message).
   */
  async putBuffer(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const indexed = await this.findIndexed(sha256);
    if (indexed) return { ...indexed, size: bytes.length };
    const storageKey = storageKeyFor(sha256);
    // With an index, every object a row refers to was found above; a per-object file without a row (its row
    // purged, or a crash before the commit) is not worth a stat per message: a packed copy is written.
    if (!this.isPacking && (await this.backend.exists(storageKey))) {
      return { ...(await this.describeExisting(sha256, storageKey)), size: bytes.length };
    }
    // Same format as putStream, built in memory: one compression call and one write instead of a stream
    // pipeline, which matters at hundreds of small messages per second.
    const header = newHeader(this.writeKey.id, this.compression);
    const cipher = createCipheriv("aes-256-gcm", objectKey(this.writeKey, header.salt), header.nonce);
    cipher.setAAD(header.bytes);
    const compressed = await this.compressBuffer(bytes);
    const object = Buffer.concat([
      header.bytes,
      cipher.update(compressed),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    if (this.isPacking && canPack(this.backend)) {
      return {
        sha256,
        size: bytes.length,
        storedSize: object.length,
        storageKey: await this.backend.appendPacked(sha256, object),
        keyId: this.writeKey.id,
        isNew: true,
      };
    }
    const { created } = await this.backend.put(storageKey, object);
    if (!created) return { ...(await this.describeExisting(sha256, storageKey)), size: bytes.length };
    return {
      sha256,
      size: bytes.length,
      storedSize: object.length,
      storageKey,
      keyId: this.writeKey.id,
      isNew: true,
    };
  }

  /**
   * The original bytes of a blob, as a stream.
   *
   * GCM authenticates only at the end of the object, and the bytes are streamed out before that: a consumer
   * receives data before it is verified. If the tag or the sha256 does not match (corruption, tampering, a
   * truncated object), the returned stream emits an error (BlobIntegrityError) instead of `end`, so a
   * consumer that treats only `end` as success (pipeline, for-await) never takes corrupt bytes for a
   * complete blob. One that forwards bytes as they come (an HTTP response) must abort on that error, not
   * finish normally. Rejects up front with BlobNotFoundError, BlobKeyError or BlobFormatError.
   */
  async getStream(blob: string | { sha256: string; storageKey?: string }): Promise<Readable> {
    const { sha256, storageKey } = await this.locate(blob);
    const raw = await this.backend.get(storageKey);
    let header: BlobHeader;
    let rest: AsyncIterable<Buffer>;
    try {
      ({ header, rest } = await readHeader(raw, storageKey));
    } catch (err) {
      raw.destroy();
      throw packedAsIntegrity(err, storageKey);
    }
    let key: BlobKey;
    try {
      key = this.keyFor(header, sha256);
    } catch (err) {
      raw.destroy();
      throw err;
    }
    const decipher = createDecipheriv("aes-256-gcm", objectKey(key, header.salt), header.nonce);
    decipher.setAAD(header.bytes);

    // `out` is deliberately outside the pipeline: every failure reaches the consumer as one error we
    // choose (BlobIntegrityError for corrupt data), and a consumer that stops reading closes the file.
    const verify = new VerifySha256(sha256);
    const out = new PassThrough();
    verify.pipe(out);
    out.on("close", () => {
      if (!out.readableEnded) verify.destroy();
    });
    pipeline(rest, new GcmOpen(decipher, sha256), decompressor(header.compression), verify).catch(
      (err: unknown) => {
        raw.destroy();
        out.destroy(asReadError(err, sha256));
      },
    );
    return out;
  }

  /** The whole blob in memory, verified. For small objects (parsing, tests); large ones use getStream. */
  async readBuffer(blob: string | { sha256: string; storageKey?: string }): Promise<Buffer> {
    const { sha256, storageKey } = await this.locate(blob);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.backend.get(storageKey)) chunks.push(chunk as Buffer);
    const object = Buffer.concat(chunks);

    let header: BlobHeader | undefined;
    try {
      header = parseHeader(object);
    } catch (err) {
      throw packedAsIntegrity(err, storageKey);
    }
    if (!header) {
      // A packed object cut short is an integrity failure of that object (a torn pack tail).
      if (isPackKey(storageKey)) throw new BlobIntegrityError(`blob object ${storageKey} is truncated`);
      throw new BlobFormatError(`blob object ${storageKey} is truncated (incomplete header)`);
    }
    const decipher = createDecipheriv(
      "aes-256-gcm",
      objectKey(this.keyFor(header, sha256), header.salt),
      header.nonce,
    );
    decipher.setAAD(header.bytes);
    if (object.length < header.bytes.length + TAG_BYTES) {
      throw new BlobIntegrityError(`blob ${sha256} is truncated (no authentication tag)`);
    }
    decipher.setAuthTag(object.subarray(object.length - TAG_BYTES));
    let compressed: Buffer;
    try {
      compressed = Buffer.concat([
        decipher.update(object.subarray(header.bytes.length, object.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new BlobIntegrityError(
        `blob ${sha256} failed authentication: the stored object is corrupt or was modified`,
      );
    }
    let original: Buffer;
    try {
      original = await decompressBuffer(header.compression, compressed);
    } catch (err) {
      throw asReadError(err, sha256);
    }
    const actual = createHash("sha256").update(original).digest("hex");
    if (actual !== sha256)
      throw new BlobIntegrityError(`blob ${sha256} decoded to different bytes (sha256 ${actual})`);
    return original;
  }

  async exists(sha256: string): Promise<boolean> {
    const indexed = await this.index?.find(sha256);
    if (indexed && (await this.backend.exists(indexed.storageKey))) return true;
    return this.backend.exists(storageKeyFor(sha256));
  }

  /** The storage key of a blob: the one given, else the index's, else the per-object address. */
  private async locate(
    blob: string | { sha256: string; storageKey?: string },
  ): Promise<{ sha256: string; storageKey: string }> {
    const sha256 = typeof blob === "string" ? blob : blob.sha256;
    const given = typeof blob === "string" ? undefined : blob.storageKey;
    if (given) return { sha256, storageKey: given };
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a lower-case hex sha256: ${sha256}`);
    const indexed = await this.index?.find(sha256);
    return { sha256, storageKey: indexed?.storageKey ?? storageKeyFor(sha256) };
  }

  /**
   * The stored copy the index knows, as a put's result. A packed one needs no I/O: its pack stays while
   * a row references it. A per-object file is touched, as before (the purge's reaper keeps objects used
   * within the grace period); if the reaper removed it meanwhile, the content is stored afresh.
   */
  private async findIndexed(sha256: string): Promise<Omit<StoredBlob, "size"> | undefined> {
    const indexed = await this.index?.find(sha256);
    if (!indexed) return undefined;
    if (!isPackKey(indexed.storageKey)) {
      try {
        await this.backend.touch(indexed.storageKey);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT" || err instanceof BlobNotFoundError)
          return undefined;
        throw err;
      }
    }
    return {
      sha256,
      storedSize: indexed.storedSize,
      storageKey: indexed.storageKey,
      keyId: indexed.keyId,
      isNew: false,
    };
  }

  /** Deletes the object of a content address (the purge job, once no row references it). */
  async delete(sha256: string): Promise<boolean> {
    return this.backend.delete(storageKeyFor(sha256));
  }

  private keyFor(header: BlobHeader, sha256: string): BlobKey {
    const key = this.keysById.get(header.keyId);
    if (!key) {
      throw new BlobKeyError(
        `blob ${sha256} was encrypted with key ${header.keyId}, which is not configured ` +
          `(configured: ${[...this.keysById.keys()].join(", ")})`,
      );
    }
    return key;
  }

  private async compressBuffer(bytes: Uint8Array): Promise<Buffer> {
    switch (this.compression) {
      case "brotli": {
        const options = {
          // Output buffers as large as the input (within bounds): zlib's 16 KB default makes a 1 MB message
          // come back in ~45 pieces, each a callback on the event loop and a copy into the final buffer.
          chunkSize: Math.min(Math.max(bytes.length, MIN_CHUNK), MAX_CHUNK),
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: this.brotliQuality,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        };
        // Small inputs compress faster than a hop to the thread pool costs (0.19 vs 0.35 ms CPU for a
        // 24 KB message at q2); larger ones go to the pool so the event loop never stalls for long.
        if (bytes.length <= SYNC_COMPRESS_LIMIT) return zlib.brotliCompressSync(bytes, options);
        return brotliCompress(bytes, options);
      }
      case "gzip":
        return gzip(bytes, { level: 6 });
      case "none":
        return Buffer.from(bytes);
    }
  }

  private compressor(): Transform {
    switch (this.compression) {
      case "brotli":
        return zlib.createBrotliCompress({
          chunkSize: MAX_CHUNK,
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: this.brotliQuality },
        });
      case "gzip":
        return zlib.createGzip({ level: 6 });
      case "none":
        return new PassThrough();
    }
  }

  /** What an existing object holds: its key id (from its header) and stored size. Marks it as used. */
  private async describeExisting(sha256: string, storageKey: string): Promise<Omit<StoredBlob, "size">> {
    const info = await this.backend.stat(storageKey);
    if (!info) throw new BlobNotFoundError(storageKey);
    const raw = await this.backend.get(storageKey);
    let header: BlobHeader;
    try {
      ({ header } = await readHeader(raw, storageKey));
    } finally {
      raw.destroy();
    }
    await this.backend.touch(storageKey);
    return { sha256, storedSize: info.size, storageKey, keyId: header.keyId, isNew: false };
  }
}

/** Reads the header off the front of a raw object stream; `rest` continues with the bytes after it. */
async function readHeader(
  raw: Readable,
  storageKey: string,
): Promise<{ header: BlobHeader; rest: AsyncIterable<Buffer> }> {
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buffered = Buffer.alloc(0);
  for (;;) {
    const header = parseHeader(buffered);
    if (header) {
      const leftover = buffered.subarray(header.bytes.length);
      async function* rest(): AsyncGenerator<Buffer> {
        if (leftover.length > 0) yield leftover;
        for (;;) {
          const next = await iterator.next();
          if (next.done) return;
          yield next.value;
        }
      }
      return { header, rest: rest() };
    }
    const next = await iterator.next();
    if (next.done) throw new BlobFormatError(`blob object ${storageKey} is truncated (incomplete header)`);
    buffered = Buffer.concat([buffered, next.value]);
  }
}

/**
 * Decrypts while holding back the last 16 bytes (the tag, whose position is only known at the end), and
 * checks the tag in flush: a failure becomes this stream's error, before anything downstream can end.
 */
class GcmOpen extends Transform {
  private tail = Buffer.alloc(0);

  constructor(
    private readonly decipher: DecipherGCM,
    private readonly sha256: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    const data = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = data.length - TAG_BYTES;
    if (cut <= 0) {
      this.tail = Buffer.from(data);
      callback();
      return;
    }
    this.tail = Buffer.from(data.subarray(cut));
    callback(null, this.decipher.update(data.subarray(0, cut)));
  }

  override _flush(callback: TransformCallback): void {
    if (this.tail.length !== TAG_BYTES) {
      callback(new BlobIntegrityError(`blob ${this.sha256} is truncated (no authentication tag)`));
      return;
    }
    try {
      this.decipher.setAuthTag(this.tail);
      callback(null, this.decipher.final());
    } catch {
      callback(
        new BlobIntegrityError(
          `blob ${this.sha256} failed authentication: the stored object is corrupt or was modified`,
        ),
      );
    }
  }
}

/** Passes bytes through and fails at the end unless they hash to the expected sha256. */
class VerifySha256 extends Transform {
  private readonly hash = createHash("sha256");

  constructor(private readonly expected: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest("hex");
    if (actual === this.expected) callback();
    else
      callback(new BlobIntegrityError(`blob ${this.expected} decoded to different bytes (sha256 ${actual})`));
  }
}

/** Up to this size, buffered objects are compressed on the calling thread (well under a millisecond). */
const SYNC_COMPRESS_LIMIT = 128 * 1024;
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 256 * 1024;

// The callback forms run on libuv's thread pool: no event-loop blocking, one hop per call.
const brotliCompress = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const brotliDecompress = promisify(zlib.brotliDecompress);
const gunzip = promisify(zlib.gunzip);

async function decompressBuffer(compression: Compression, data: Buffer): Promise<Buffer> {
  switch (compression) {
    case "brotli":
      return brotliDecompress(data);
    case "gzip":
      return gunzip(data);
    case "none":
      return data;
  }
}

function decompressor(compression: Compression): Transform {
  switch (compression) {
    case "brotli":
      return zlib.createBrotliDecompress();
    case "gzip":
      return zlib.createGunzip();
    case "none":
      return new PassThrough();
  }
}

/**
 * Decompression errors mean a corrupt object (zlib reports `Z_*`, brotli `ERR__ERROR_<decoder error>`);
 * other errors (I/O) stay as they are.
 */
function asReadError(err: unknown, sha256: string): Error {
  if (err instanceof BlobIntegrityError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (code.startsWith("Z_") || code.startsWith("ERR__ERROR_"))) {
    return new BlobIntegrityError(`blob ${sha256} is corrupt: it does not decompress (${code})`, {
      cause: err,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** In a pack, bytes that are not a blob header are a damaged object (a torn tail), not a foreign file. */
function packedAsIntegrity(err: unknown, storageKey: string): unknown {
  if (err instanceof BlobFormatError && isPackKey(storageKey)) {
    return new BlobIntegrityError(`blob object ${storageKey} is damaged: ${err.message}`, { cause: err });
  }
  return err;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  // A string has no single byte form (which encoding?); the original bytes must come as bytes.
  throw new TypeError("blob sources must yield bytes (Buffer/Uint8Array), not strings");
}
