/**
 * Bounded memo tables for values that are pure functions of their key. Planning message i asks for
 * its block's layout, its conversation and the Message-IDs of the messages before it, and
 * composing it plans its predecessor again (quotes, forwards): remembering the last few hundred
 * answers turns those repeats into lookups. Values are shared, so callers must not mutate them.
 */
export class Memo<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, compute: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    // Forget the oldest entry: plenty for the access patterns here (runs of nearby indices)
    if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return value;
  }
}

/** One table per owner object (a mailbox context), dropped with it. */
export function memoPer<O extends object, K, V>(limit: number): (owner: O) => Memo<K, V> {
  const tables = new WeakMap<O, Memo<K, V>>();
  return (owner) => {
    let table = tables.get(owner);
    if (!table) {
      table = new Memo<K, V>(limit);
      tables.set(owner, table);
    }
    return table;
  };
}
