import { badRequest, GraphError } from "./http";

/**
 * A small OData v4 `$filter` parser and evaluator: comparisons, and/or/not, parentheses,
 * startswith/endswith/contains, `any`/`all` lambdas, `/$count`, string/number/bool/null/datetime/guid
 * literals. Enough for every filter Graph documents on the resources the simulator serves.
 */

export type Expr =
  | { t: "lit"; v: unknown; kind: "string" | "number" | "bool" | "null" | "date" | "guid" }
  | { t: "path"; segs: string[] }
  | { t: "cmp"; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; l: Expr; r: Expr }
  | { t: "and" | "or"; l: Expr; r: Expr }
  | { t: "not"; e: Expr }
  | { t: "fn"; name: string; args: Expr[] }
  | { t: "lambda"; kind: "any" | "all"; coll: string[]; v?: string; body?: Expr };

type Tok = { k: "punct"; v: string } | { k: "str"; v: string } | { k: "word"; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ k: "punct", v: c });
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= s.length) throw badRequest("Invalid filter clause: unterminated string literal.");
        if (s[i] === "'") {
          if (s[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i];
        i++;
      }
      out.push({ k: "str", v });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9][0-9A-Za-z:.+-]*/.exec(s.slice(i));
      const w = m ? m[0] : c;
      out.push({ k: "word", v: w });
      i += w.length;
    } else if (c === ":") {
      out.push({ k: "punct", v: ":" });
      i++;
    } else {
      const m = /^[A-Za-z_$@][A-Za-z0-9_$@./-]*/.exec(s.slice(i));
      if (!m) throw badRequest(`Invalid filter clause: unexpected character '${c}'.`);
      out.push({ k: "word", v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): Expr {
    const e = this.or();
    if (this.i < this.toks.length)
      throw badRequest(`Invalid filter clause: unexpected '${this.peekText()}'.`);
    return e;
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private peekText(): string {
    const t = this.peek();
    return t ? t.v : "<end>";
  }
  private isWord(w: string): boolean {
    const t = this.peek();
    return t?.k === "word" && t.v.toLowerCase() === w;
  }
  private expectPunct(p: string): void {
    const t = this.peek();
    if (t?.k !== "punct" || t.v !== p)
      throw badRequest(`Invalid filter clause: expected '${p}' near '${this.peekText()}'.`);
    this.i++;
  }

  private or(): Expr {
    let l = this.and();
    while (this.isWord("or")) {
      this.i++;
      l = { t: "or", l, r: this.and() };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isWord("and")) {
      this.i++;
      l = { t: "and", l, r: this.not() };
    }
    return l;
  }
  private not(): Expr {
    if (this.isWord("not")) {
      this.i++;
      return { t: "not", e: this.not() };
    }
    return this.cmp();
  }
  private cmp(): Expr {
    const l = this.primary();
    const t = this.peek();
    if (t?.k === "word" && /^(eq|ne|gt|ge|lt|le)$/i.test(t.v)) {
      this.i++;
      const r = this.primary();
      return { t: "cmp", op: t.v.toLowerCase() as "eq", l, r };
    }
    return l;
  }
  private primary(): Expr {
    const t = this.peek();
    if (!t) throw badRequest("Invalid filter clause: unexpected end of expression.");
    if (t.k === "punct" && t.v === "(") {
      this.i++;
      const e = this.or();
      this.expectPunct(")");
      return e;
    }
    if (t.k === "str") {
      this.i++;
      return { t: "lit", v: t.v, kind: "string" };
    }
    if (t.k !== "word") throw badRequest(`Invalid filter clause: unexpected '${t.v}'.`);
    this.i++;
    const w = t.v;
    const lw = w.toLowerCase();
    if (lw === "true" || lw === "false") return { t: "lit", v: lw === "true", kind: "bool" };
    if (lw === "null") return { t: "lit", v: null, kind: "null" };
    if (/^\d{4}-\d{2}-\d{2}(T[0-9:.]+)?(Z|[+-]\d{2}:\d{2})?$/.test(w)) {
      const ms = Date.parse(w);
      if (Number.isNaN(ms)) throw badRequest(`Invalid filter clause: bad date '${w}'.`);
      return { t: "lit", v: ms, kind: "date" };
    }
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(w)) {
      return { t: "lit", v: w.toLowerCase(), kind: "guid" };
    }
    if (/^-?\d+(\.\d+)?$/.test(w)) return { t: "lit", v: Number(w), kind: "number" };
    const next = this.peek();
    if (next?.k === "punct" && next.v === "(") {
      const lambda = /^(.*)\/(any|all)$/i.exec(w);
      if (lambda) {
        this.i++;
        const coll = (lambda[1] as string).split("/");
        const kind = (lambda[2] as string).toLowerCase() as "any" | "all";
        const close = this.peek();
        if (close?.k === "punct" && close.v === ")") {
          this.i++;
          return { t: "lambda", kind, coll };
        }
        const v = this.peek();
        if (v?.k !== "word") throw badRequest("Invalid filter clause: lambda variable expected.");
        this.i++;
        this.expectPunct(":");
        const body = this.or();
        this.expectPunct(")");
        return { t: "lambda", kind, coll, v: v.v, body };
      }
      this.i++;
      const args: Expr[] = [];
      const close = this.peek();
      if (!(close?.k === "punct" && close.v === ")")) {
        for (;;) {
          args.push(this.or());
          const sep = this.peek();
          if (sep?.k === "punct" && sep.v === ",") {
            this.i++;
            continue;
          }
          break;
        }
      }
      this.expectPunct(")");
      return { t: "fn", name: lw, args };
    }
    return { t: "path", segs: w.split("/") };
  }
}

export function parseFilter(s: string): Expr {
  return new Parser(tokenize(s)).parse();
}

/** Case-insensitive property access, as Graph property names are case-insensitive in queries. */
export function getProp(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== "object") return undefined;
  const rec = obj as Record<string, unknown>;
  if (name in rec) return rec[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k];
  return undefined;
}

type Env = Record<string, unknown>;

function resolvePath(segs: string[], root: unknown, env: Env): unknown {
  let cur: unknown;
  let rest = segs;
  const first = segs[0] ?? "";
  if (first in env) {
    cur = env[first];
    rest = segs.slice(1);
  } else cur = root;
  for (const s of rest) {
    if (s === "$count") {
      cur = Array.isArray(cur) ? cur.length : 0;
      continue;
    }
    cur = getProp(cur, s);
  }
  return cur;
}

export interface EvalOptions {
  /** Compare these property names case-sensitively (e.g. extended-property ids). */
  caseSensitive?: (path: string[]) => boolean;
}

function norm(v: unknown, other: Expr | undefined, caseSensitive: boolean): unknown {
  if (other?.t === "lit" && other.kind === "date" && typeof v === "string") return Date.parse(v);
  if (typeof v === "string" && !caseSensitive) return v.toLowerCase();
  return v;
}

function evalExpr(e: Expr, root: unknown, env: Env, o: EvalOptions): unknown {
  switch (e.t) {
    case "lit":
      return e.v;
    case "path":
      return resolvePath(e.segs, root, env);
    case "and":
      return Boolean(evalExpr(e.l, root, env, o)) && Boolean(evalExpr(e.r, root, env, o));
    case "or":
      return Boolean(evalExpr(e.l, root, env, o)) || Boolean(evalExpr(e.r, root, env, o));
    case "not":
      return !evalExpr(e.e, root, env, o);
    case "cmp": {
      const cs = (x: Expr) => x.t === "path" && (o.caseSensitive?.(x.segs) ?? false);
      const sensitive = cs(e.l) || cs(e.r);
      const l = norm(evalExpr(e.l, root, env, o), e.r, sensitive);
      const r = norm(evalExpr(e.r, root, env, o), e.l, sensitive);
      switch (e.op) {
        case "eq":
          return (l ?? null) === (r ?? null);
        case "ne":
          return (l ?? null) !== (r ?? null);
        default: {
          if (l === undefined || l === null || r === undefined || r === null) return false;
          const a = l as number | string;
          const b = r as number | string;
          if (e.op === "gt") return a > b;
          if (e.op === "ge") return a >= b;
          if (e.op === "lt") return a < b;
          return a <= b;
        }
      }
    }
    case "fn": {
      const args = e.args.map((a) => evalExpr(a, root, env, o));
      const [a, b] = args.map((x) => (typeof x === "string" ? x.toLowerCase() : x));
      if (typeof a !== "string" || typeof b !== "string") return false;
      if (e.name === "startswith") return a.startsWith(b);
      if (e.name === "endswith") return a.endsWith(b);
      if (e.name === "contains") return a.includes(b);
      throw badRequest(`Invalid filter clause: unsupported function '${e.name}'.`);
    }
    case "lambda": {
      const coll = resolvePath(e.coll, root, env);
      const arr = Array.isArray(coll) ? coll : [];
      if (!e.body || !e.v) return e.kind === "any" ? arr.length > 0 : true;
      const v = e.v;
      const body = e.body;
      const test = (x: unknown) => Boolean(evalExpr(body, root, { ...env, [v]: x }, o));
      return e.kind === "any" ? arr.some(test) : arr.every(test);
    }
  }
}

export function evaluate(e: Expr, obj: unknown, o: EvalOptions = {}): boolean {
  return Boolean(evalExpr(e, obj, {}, o));
}

/** Walks the tree; used to detect advanced-query constructs and to pull out simple predicates. */
export function visit(e: Expr, f: (x: Expr) => void): void {
  f(e);
  switch (e.t) {
    case "cmp":
    case "and":
    case "or":
      visit(e.l, f);
      visit(e.r, f);
      break;
    case "not":
      visit(e.e, f);
      break;
    case "fn":
      for (const a of e.args) visit(a, f);
      break;
    case "lambda":
      if (e.body) visit(e.body, f);
      break;
    default:
      break;
  }
}

/**
 * Directory (Entra) queries that need `ConsistencyLevel: eventual` and `$count=true`
 * (https://learn.microsoft.com/graph/aad-advanced-queries): ne, not, endswith, `/$count`.
 */
export function advancedQueryReason(e: Expr): string | undefined {
  let reason: string | undefined;
  visit(e, (x) => {
    if (reason) return;
    if (x.t === "cmp" && x.op === "ne") reason = "Operator 'ne'";
    else if (x.t === "not") reason = "Operator 'not'";
    else if (x.t === "fn" && x.name === "endswith") reason = "Operator 'endsWith'";
    else if (x.t === "path" && x.segs.includes("$count")) reason = "'$count' in a filter";
  });
  return reason;
}

/** `$select=a,b,c` → ["a","b","c"] (trimmed), or undefined when absent. */
export function parseSelect(v: string | undefined): string[] | undefined {
  if (v === undefined || v.trim() === "") return undefined;
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface ExpandItem {
  name: string;
  filter?: string;
  select?: string[];
}

/** `$expand=a($filter=x eq 'y'),b` → items; parentheses may nest inside quoted strings. */
export function parseExpand(v: string | undefined): ExpandItem[] {
  if (!v) return [];
  const out: ExpandItem[] = [];
  let depth = 0;
  let inStr = false;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === "'") inStr = !inStr;
    if (inStr) continue;
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(v.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(v.slice(start));
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    const open = p.indexOf("(");
    if (open < 0) {
      out.push({ name: p });
      continue;
    }
    const name = p.slice(0, open).trim();
    const inner = p.slice(open + 1, p.lastIndexOf(")"));
    const item: ExpandItem = { name };
    for (const opt of splitTopLevel(inner, ";")) {
      const eq = opt.indexOf("=");
      if (eq < 0) continue;
      const k = opt.slice(0, eq).trim().replace(/^\$/, "").toLowerCase();
      const val = opt.slice(eq + 1).trim();
      if (k === "filter") item.filter = val;
      else if (k === "select") item.select = parseSelect(val);
    }
    out.push(item);
  }
  return out;
}

function splitTopLevel(s: string, sep: string): string[] {
  const out: string[] = [];
  let inStr = false;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") inStr = !inStr;
    if (inStr) continue;
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === sep && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

export function parseTop(v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`Invalid value '${v}' for $top.`, "BadRequest");
  if (n > max) {
    throw new GraphError(
      400,
      "Request_BadRequest",
      `Invalid page size specified: '${n}'. Must be between 1 and ${max} inclusive.`,
    );
  }
  return n;
}

/** Applies `$select` to a full JSON object: keeps the listed properties plus OData annotations. */
export function applySelect(
  obj: Record<string, unknown>,
  select: string[] | undefined,
  always: string[] = ["id"],
): Record<string, unknown> {
  if (!select) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k.startsWith("@odata.")) out[k] = v;
  const keys = Object.keys(obj);
  for (const want of [...always, ...select]) {
    const lower = want.toLowerCase();
    const k = keys.find((x) => x.toLowerCase() === lower);
    if (k !== undefined) out[k] = obj[k];
  }
  return out;
}
