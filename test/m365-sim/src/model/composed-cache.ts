/**
 * The composed MIME of generated messages, kept so that `$value`, body views and the state's sha256
 * do not compose the same message again (composing costs about 0.7 ms for an average message, sending
 * the kept bytes a few tens of µs). Bounded by total bytes; messages over `maxEntryBytes` (the huge
 * benchmark message) are never kept, they stream as they are generated.
 *
 * Eviction resists scans: a benchmark asks the state call for every message's sha256 (composing each
 * one) before the archive run downloads each one once, and a plain LRU smaller than the mailbox would
 * then evict every entry just before it is asked for. Entries that have been served (`$value`, a body
 * view) are evicted first, oldest use first; entries composed but not served yet go last, oldest first.
 *
 * An entry is found by the message's `src` object (a new object whenever the message's MIME changes)
 * and must belong to the same generator spec (a mailbox re-attached to another large-mailbox spec
 * keeps `src` objects of the same shape that now mean other bytes).
 */

import type { HeaderMeta } from "./mime";

interface Entry {
  owner: object;
  bytes: Buffer;
  /** Header metadata learnt while composing: a delta page after the state call plans nothing again. */
  meta: HeaderMeta | undefined;
}

/** What an entry's metadata is counted as against the byte bound (about what it takes on the heap). */
const META_BYTES = 1024;

export const DEFAULT_COMPOSED_CACHE_BYTES = 256 * 1024 * 1024;
/** Generated messages with large attachments reach a few MB; the 100 MB benchmark message streams. */
const MAX_ENTRY_BYTES = 16 * 1024 * 1024;

function weight(bytes: Buffer, meta: HeaderMeta | undefined): number {
  return bytes.length + (meta ? META_BYTES : 0);
}

export class ComposedCache {
  /** Composed, not served yet; insertion order. */
  private readonly fresh = new Map<object, Entry>();
  /** Served at least once; least recently served first. */
  private readonly served = new Map<object, Entry>();
  private total = 0;
  readonly maxEntryBytes: number;

  constructor(readonly maxBytes = DEFAULT_COMPOSED_CACHE_BYTES) {
    this.maxEntryBytes = Math.min(MAX_ENTRY_BYTES, Math.floor(maxBytes / 16));
  }

  /** The kept bytes; `serve` marks them used by a client (they then go before unused entries). */
  get(key: object, owner: object, serve: boolean): Buffer | undefined {
    const inServed = this.served.get(key);
    const e = inServed ?? this.fresh.get(key);
    if (!e) return undefined;
    if (e.owner !== owner) {
      this.delete(key);
      return undefined;
    }
    if (serve) {
      if (inServed) this.served.delete(key);
      else this.fresh.delete(key);
      this.served.set(key, e);
    }
    return e.bytes;
  }

  /** The header metadata kept with the bytes (does not count as serving them). */
  meta(key: object, owner: object): HeaderMeta | undefined {
    const e = this.served.get(key) ?? this.fresh.get(key);
    return e && e.owner === owner ? e.meta : undefined;
  }

  /** Keeps `bytes` and their header metadata (when they fit), evicting served entries first. */
  put(key: object, owner: object, bytes: Buffer, served: boolean, meta?: HeaderMeta): void {
    if (bytes.length > this.maxEntryBytes) return;
    this.delete(key);
    const cost = weight(bytes, meta);
    while (this.total + cost > this.maxBytes) {
      const victim = this.served.keys().next().value ?? this.fresh.keys().next().value;
      if (victim === undefined) break;
      this.delete(victim);
    }
    (served ? this.served : this.fresh).set(key, { owner, bytes, meta });
    this.total += cost;
  }

  delete(key: object): void {
    const e = this.served.get(key) ?? this.fresh.get(key);
    if (!e) return;
    this.served.delete(key);
    this.fresh.delete(key);
    this.total -= weight(e.bytes, e.meta);
  }

  clear(): void {
    this.served.clear();
    this.fresh.clear();
    this.total = 0;
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.served.size + this.fresh.size;
  }
}
