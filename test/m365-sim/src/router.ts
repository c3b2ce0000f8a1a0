/**
 * A minimal path router. Graph paths are case-insensitive and accept OData key syntax
 * (`mailFolders('AAMk…')` is the same as `mailFolders/AAMk…`), which `splitGraphPath` normalises.
 */

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
  pattern: string;
}

interface Route<H> {
  method: string;
  /** Pattern segments, literals lower-cased (paths are case-insensitive). */
  segs: string[];
  handler: H;
  pattern: string;
}

/** Splits a path into decoded segments, expanding `name('key')` / `name(key)` into two segments. */
export function splitGraphPath(path: string): string[] {
  const out: string[] = [];
  for (const raw of path.split("/")) {
    if (raw === "") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      seg = raw;
    }
    const m = /^([A-Za-z0-9_.$]+)\((.*)\)$/.exec(seg);
    if (m && !/^microsoft\.graph\./i.test(seg)) {
      out.push(m[1] as string);
      let key = m[2] as string;
      if (/^'.*'$/.test(key)) key = key.slice(1, -1).replace(/''/g, "'");
      out.push(key);
    } else out.push(seg);
  }
  return out;
}

export class Router<H> {
  /** Routes by segment count: a request is compared only with patterns of its length. */
  private readonly routes = new Map<number, Route<H>[]>();

  add(method: string, pattern: string, handler: H): void {
    const segs = pattern
      .split("/")
      .filter(Boolean)
      .map((p) => (p.startsWith(":") ? p : p.toLowerCase()));
    let list = this.routes.get(segs.length);
    if (!list) {
      list = [];
      this.routes.set(segs.length, list);
    }
    list.push({ method: method.toUpperCase(), segs, handler, pattern });
  }

  /**
   * Returns the best match (most literal segments wins, so `messages/delta` beats `messages/:id`),
   * "method" when the path exists only with other methods, or undefined.
   */
  match(method: string, segs: string[]): Match<H> | "method" | undefined {
    let pathMatched = false;
    let best: Match<H> | undefined;
    let bestScore = -1;
    const m = method.toUpperCase();
    const lower = segs.map((s) => s.toLowerCase());
    for (const r of this.routes.get(segs.length) ?? []) {
      let ok = true;
      let score = 0;
      for (let i = 0; i < lower.length; i++) {
        const p = r.segs[i] as string;
        if (p.startsWith(":")) continue;
        if (p !== lower[i]) {
          ok = false;
          break;
        }
        score++;
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === m && score > bestScore) {
        const params: Record<string, string> = {};
        r.segs.forEach((p, i) => {
          if (p.startsWith(":")) params[p.slice(1)] = segs[i] as string;
        });
        best = { handler: r.handler, params, pattern: r.pattern };
        bestScore = score;
      }
    }
    if (best) return best;
    return pathMatched ? "method" : undefined;
  }
}
