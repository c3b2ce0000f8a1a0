import { createCipheriv, hash } from "node:crypto";

/**
 * Seeded randomness. Every value the generator produces comes from a key path such as
 * (seed, upn, "message", i), hashed with sha256, so any one item can be rebuilt on its own
 * without replaying a global random stream — the property that keeps `message(i)` lazy.
 */
export type KeyPart = string | number;

export function hashKey(parts: readonly KeyPart[]): Buffer {
  // sha256 over each part followed by a NUL, in one call: a message plan takes a dozen of these,
  // and the one-shot crypto.hash costs about half of a createHash/update/digest round
  let joined = "";
  for (const part of parts) joined += `${typeof part === "number" ? `#${part}` : part}\u0000`;
  return hash("sha256", joined, "buffer") as unknown as Buffer;
}

/** sfc32: small, fast, good enough for test data, and identical on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: Buffer) {
    this.a = seed.readUInt32LE(0);
    this.b = seed.readUInt32LE(4);
    this.c = seed.readUInt32LE(8);
    this.d = seed.readUInt32LE(12) | 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1]![0];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  sample<T>(items: readonly T[], count: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, Math.min(count, items.length)));
  }

  /** Log-uniform integer in [min, max]: many small values, a few large ones, like file sizes. */
  logInt(min: number, max: number): number {
    return Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
  }

  hex(bytes: number): string {
    let out = "";
    for (let i = 0; i < bytes; i++) out += (this.nextUint32() & 0xff).toString(16).padStart(2, "0");
    return out;
  }
}

export function rngFor(...parts: KeyPart[]): Rng {
  return new Rng(hashKey(parts));
}

const ZEROS = Buffer.alloc(1 << 20);

/**
 * Deterministic pseudo-random bytes: the AES-128-CTR keystream under a key derived from `parts`.
 * OpenSSL makes it fast enough for the 100 MB benchmark message, and CTR lets a long payload be
 * produced chunk by chunk with the same bytes as one call.
 */
export class ByteStream {
  private readonly cipher;

  constructor(parts: readonly KeyPart[]) {
    const key = hashKey(["bytes", ...parts]);
    this.cipher = createCipheriv("aes-128-ctr", key.subarray(0, 16), key.subarray(16, 32));
  }

  read(length: number): Buffer {
    // The keystream is the encryption of zeros; one shared zero buffer saves an allocation per call
    if (length <= ZEROS.length) return this.cipher.update(ZEROS.subarray(0, length));
    return this.cipher.update(Buffer.alloc(length));
  }
}

export function pseudoRandomBytes(length: number, ...parts: KeyPart[]): Buffer {
  return new ByteStream(parts).read(length);
}
