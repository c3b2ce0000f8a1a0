import { createHmac, randomBytes } from "node:crypto";

/**
 * The on-disk format of one blob object (version 1). Every multi-byte field is fixed-size.
 *
 * | offset  | size | field                                                        |
 * | ------- | ---- | ------------------------------------------------------------ |
 * | 0       | 4    | magic `CFBL`                                                 |
 * | 4       | 1    | format version, 1                                            |
 * | 5       | 1    | compression of the plaintext: 0 none, 1 gzip, 2 brotli       |
 * | 6       | 1    | key id length n (1–64)                                       |
 * | 7       | n    | key id (ASCII): which configured key encrypted this object   |
 * | 7+n     | 32   | salt: HKDF-SHA256(key, salt, "coffer-blob-v1") = object key  |
 * | 39+n    | 12   | AES-256-GCM nonce                                            |
 * | 51+n    | …    | ciphertext of the compressed original bytes                  |
 * | end−16  | 16   | GCM authentication tag                                       |
 *
 * The whole header is the GCM additional authenticated data, so changing the compression or key id fails
 * authentication too. Objects are encrypted under keys derived from random salts, a salt serving at most
 * {@link OBJECTS_PER_SALT} objects (each with its own random nonce): the objects per derived key stay far
 * below GCM's random-nonce bound (2^32 messages per key) however many objects a configured key encrypts.
 */
export const MAGIC = Buffer.from("CFBL", "ascii");
export const FORMAT_VERSION = 1;
export const SALT_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const HKDF_INFO = Buffer.from("coffer-blob-v1", "ascii");
/** HKDF-Expand's only block for a 32-byte output: info followed by the counter byte 1. */
const HKDF_INFO_BLOCK_1 = Buffer.concat([HKDF_INFO, Buffer.from([1])]);

export const COMPRESSIONS = { none: 0, gzip: 1, brotli: 2 } as const;
export type Compression = keyof typeof COMPRESSIONS;

export type BlobHeader = {
  compression: Compression;
  keyId: string;
  salt: Buffer;
  nonce: Buffer;
  /** The header's bytes as stored (the GCM additional data). */
  bytes: Buffer;
};

/** A configured encryption key: 32 bytes and the id recorded in every object it encrypts. */
export type BlobKey = { id: string; key: Buffer };

export class BlobFormatError extends Error {
  override readonly name = "BlobFormatError";
}

/** A key's id: derived from the key, so it names the key without revealing it, and cannot be mistyped. */
export function keyIdFor(key: Buffer): string {
  return `k1-${createHmac("sha256", key).update("coffer blob key id").digest("hex").slice(0, 16)}`;
}

export function toBlobKey(key: Buffer): BlobKey {
  if (key.length !== 32) throw new Error(`an encryption key must be 32 bytes, this one has ${key.length}`);
  return { id: keyIdFor(key), key };
}

export function newHeader(keyId: string, compression: Compression): BlobHeader {
  const id = Buffer.from(keyId, "ascii");
  if (id.length < 1 || id.length > 64) throw new Error(`key id must be 1–64 ASCII characters: ${keyId}`);
  const salt = nextSalt();
  const nonce = randomSlice(NONCE_BYTES);
  const bytes = Buffer.concat([
    MAGIC,
    Buffer.from([FORMAT_VERSION, COMPRESSIONS[compression], id.length]),
    id,
    salt,
    nonce,
  ]);
  return { compression, keyId, salt, nonce, bytes };
}

/**
 * Parses a header from the start of `buf`: the header, or undefined when `buf` is too short to hold it yet.
 * Throws BlobFormatError on anything that is not a version 1 Coffer blob.
 */
export function parseHeader(buf: Buffer): BlobHeader | undefined {
  if (buf.length < 7) return undefined;
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new BlobFormatError("not a Coffer blob object (bad magic)");
  const version = buf[4]!;
  if (version !== FORMAT_VERSION) throw new BlobFormatError(`unsupported blob format version ${version}`);
  const code = buf[5]!;
  const compression = (Object.keys(COMPRESSIONS) as Compression[]).find((c) => COMPRESSIONS[c] === code);
  if (!compression) throw new BlobFormatError(`unknown blob compression ${code}`);
  const idLength = buf[6]!;
  if (idLength < 1 || idLength > 64) throw new BlobFormatError(`bad key id length ${idLength}`);
  const end = 7 + idLength + SALT_BYTES + NONCE_BYTES;
  if (buf.length < end) return undefined;
  const keyId = buf.subarray(7, 7 + idLength).toString("ascii");
  const salt = Buffer.from(buf.subarray(7 + idLength, 7 + idLength + SALT_BYTES));
  const nonce = Buffer.from(buf.subarray(7 + idLength + SALT_BYTES, end));
  return { compression, keyId, salt, nonce, bytes: Buffer.from(buf.subarray(0, end)) };
}

/**
 * The AES-256 key of one object: HKDF-SHA256 (RFC 5869) of the configured key with the object's salt.
 * A 32-byte output is one expand block, so it is two HMACs, written out: `hkdfSync` costs twice as much per
 * call (a key import and a crypto job each time). The last key derived is kept: consecutive new objects
 * share their salt (see {@link OBJECTS_PER_SALT}).
 */
export function objectKey(key: BlobKey, salt: Buffer): Buffer {
  const last = lastDerived;
  if (last && last.master === key.key && last.salt.equals(salt)) return last.derived;
  const prk = createHmac("sha256", salt).update(key.key).digest();
  const derived = createHmac("sha256", prk).update(HKDF_INFO_BLOCK_1).digest();
  lastDerived = { master: key.key, salt: Buffer.from(salt), derived };
  return derived;
}

let lastDerived: { master: Buffer; salt: Buffer; derived: Buffer } | undefined;

/**
 * New objects written by this process in a row share a salt, so the key derivation runs once per this
 * many objects instead of once per archived message; every object still has its own random nonce.
 */
export const OBJECTS_PER_SALT = 256;
let sharedSalt: Buffer | undefined;
let sharedSaltUses = 0;

function nextSalt(): Buffer {
  if (!sharedSalt || sharedSaltUses >= OBJECTS_PER_SALT) {
    sharedSalt = Buffer.from(randomSlice(SALT_BYTES));
    sharedSaltUses = 0;
  }
  sharedSaltUses++;
  return sharedSalt;
}

const RANDOM_POOL_BYTES = 16 * 1024;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

/**
 * Fresh CSPRNG bytes, drawn from a pool refilled every ~1,300 objects (a 12-byte nonce each, a salt per
 * 256): one `randomBytes` call per nonce cost more than the rest of the header. Each byte is handed out once.
 */
function randomSlice(n: number): Buffer {
  if (randomPoolOffset + n > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolOffset = 0;
  }
  const out = randomPool.subarray(randomPoolOffset, randomPoolOffset + n);
  randomPoolOffset += n;
  return out;
}
