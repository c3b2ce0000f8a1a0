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
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): void {
    this.routes.push({
      method: method.toUpperCase(),
      segs: pattern.split("/").filter(Boolean),
      handler,
      pattern,
    });
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
    for (const r of this.routes) {
      if (r.segs.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      let score = 0;
      for (let i = 0; i < segs.length; i++) {
        const p = r.segs[i] as string;
        const s = segs[i] as string;
        if (p.startsWith(":")) params[p.slice(1)] = s;
        else if (p.toLowerCase() === s.toLowerCase()) score++;
        else {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === m && score > bestScore) {
        best = { handler: r.handler, params, pattern: r.pattern };
        bestScore = score;
      }
    }
    if (best) return best;
    return pathMatched ? "method" : undefined;
  }
}
