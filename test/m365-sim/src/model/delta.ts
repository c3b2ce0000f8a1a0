import { randomBytes } from "node:crypto";
import { GraphError } from "../http";

/**
 * Delta sync state, modelled on Exchange's server-side sync states.
 *
 * A *chain* starts with a delta request without a token. Each *round* enumerates the changes with a
 * mailbox sequence number in (since, until], where `until` is fixed when the round starts; the pages
 * of a round are addressed by skip tokens, and the last page carries a delta token that starts the
 * next round from `until`. Rules (documented in README, "Delta tokens"):
 *
 * - a skip token is superseded once a later page of its round was requested, or once the round ended
 *   (the final page may be retried); using it gives 410 SyncStateNotFound;
 * - a delta token is superseded once a round started from it has completed (a newer delta token
 *   exists); a round that was abandoned midway leaves it valid;
 * - unknown tokens (another tenant, a reset, an evicted chain) give 410 SyncStateNotFound.
 */

export interface RoundPage {
  /** Sort key of the last entry before this page ("" = start). */
  cursor: string;
  /** Entries emitted by earlier pages (for round caps). */
  emitted: number;
}

export interface Round {
  id: number;
  since: number;
  until: number;
  pages: RoundPage[];
  used: number;
}

export interface Chain {
  id: string;
  kind: string;
  mailbox: string;
  scope: string;
  opts: Record<string, string>;
  deltaGen: number;
  deltaSeq: number;
  round?: Round;
  /** The completed round's last page, kept so that page can be retried. */
  done?: { roundId: number; page: number; cursor: string; emitted: number; since: number; until: number };
  nextRound: number;
  touched: number;
}

export type ParsedToken =
  | { type: "delta"; chainId: string; gen: number }
  | { type: "skip"; chainId: string; round: number; page: number };

export interface DeltaEntry {
  /** Item key (store key) of a live item or a tombstone. */
  key: number;
  seq: number;
  /** Sort key within the round. */
  sort: string;
  tomb?: { gen: number; id?: string };
  created: boolean;
}

export interface DeltaCollection {
  /** Entries with seq in (since, until]; tombstones only when `includeTombs`. Unsorted. */
  entries(since: number, until: number, includeTombs: boolean): DeltaEntry[];
  /** Whether a live entry still belongs to this round (in scope, not changed after `until`). */
  valid(e: DeltaEntry, until: number): boolean;
}

export interface DeltaPageResult {
  entries: DeltaEntry[];
  skipToken?: string;
  deltaToken?: string;
}

const MAX_CHAINS = 50_000;

function b64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64url");
}

export class ChainStore {
  readonly chains = new Map<string, Chain>();
  private readonly entryCache = new Map<string, DeltaEntry[]>();
  /** Set by the `expireDeltaTokens` fault: every token is answered with 410. */
  expireAll = false;
  /** Set by the `deltaReplayRate` fault: decides whether a page repeats an item of an earlier page. */
  replay: () => boolean = () => false;

  create(kind: string, mailbox: string, scope: string, opts: Record<string, string>): Chain {
    const c: Chain = {
      id: randomBytes(9).toString("base64url"),
      kind,
      mailbox,
      scope,
      opts,
      deltaGen: 0,
      deltaSeq: 0,
      nextRound: 1,
      touched: Date.now(),
    };
    this.chains.set(c.id, c);
    if (this.chains.size > MAX_CHAINS) {
      // Oldest first: Map keeps insertion order and `touch` re-inserts.
      const first = this.chains.keys().next().value;
      if (first !== undefined) this.chains.delete(first);
    }
    return c;
  }

  clear(): void {
    this.chains.clear();
    this.entryCache.clear();
  }

  private touch(c: Chain): void {
    c.touched = Date.now();
    this.chains.delete(c.id);
    this.chains.set(c.id, c);
  }

  deltaToken(c: Chain): string {
    return b64(`d~${c.id}~${c.deltaGen}`);
  }

  skipToken(c: Chain, round: number, page: number): string {
    return b64(`s~${c.id}~${round}~${page}`);
  }

  static parse(token: string): ParsedToken | undefined {
    let s: string;
    try {
      s = Buffer.from(token, "base64url").toString("utf8");
    } catch {
      return undefined;
    }
    const p = s.split("~");
    if (p[0] === "d" && p.length === 3) return { type: "delta", chainId: p[1] as string, gen: Number(p[2]) };
    if (p[0] === "s" && p.length === 4)
      return { type: "skip", chainId: p[1] as string, round: Number(p[2]), page: Number(p[3]) };
    return undefined;
  }

  static syncStateNotFound(detail: string, location?: string): GraphError {
    return new GraphError(
      410,
      "SyncStateNotFound",
      `The sync state generation is not found; ${detail}`,
      location ? { Location: location } : {},
    );
  }

  /** Resolves a token to its chain, enforcing the supersession rules. */
  resolve(token: string, location?: string): { chain: Chain; parsed: ParsedToken } {
    const parsed = ChainStore.parse(token);
    const chain = parsed ? this.chains.get(parsed.chainId) : undefined;
    if (this.expireAll)
      throw ChainStore.syncStateNotFound(
        "generation=0;[highest=0] (tokens expired by the simulator's expireDeltaTokens fault)",
        location,
      );
    if (!parsed || !chain)
      throw ChainStore.syncStateNotFound("generation=unknown;[highest=unknown]", location);
    if (parsed.type === "delta") {
      if (parsed.gen !== chain.deltaGen) {
        throw ChainStore.syncStateNotFound(`generation=${parsed.gen};[highest=${chain.deltaGen}]`, location);
      }
    } else {
      const r = chain.round;
      const retryDone = chain.done && chain.done.roundId === parsed.round && chain.done.page === parsed.page;
      if (!retryDone) {
        if (!r || r.id !== parsed.round || parsed.page < r.used || parsed.page >= r.pages.length) {
          const highest = r ? `${r.id}.${r.used}` : "none";
          throw ChainStore.syncStateNotFound(
            `generation=${parsed.round}.${parsed.page};[highest=${highest}]`,
            location,
          );
        }
      }
    }
    this.touch(chain);
    return { chain, parsed };
  }

  private sortedEntries(
    chain: Chain,
    round: { id: number; since: number; until: number },
    coll: DeltaCollection,
  ): DeltaEntry[] {
    const key = `${chain.id}:${round.id}`;
    const hit = this.entryCache.get(key);
    if (hit) return hit;
    const list = coll.entries(round.since, round.until, round.since > 0);
    list.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
    this.entryCache.set(key, list);
    if (this.entryCache.size > 64) {
      const first = this.entryCache.keys().next().value;
      if (first !== undefined) this.entryCache.delete(first);
    }
    return list;
  }

  /**
   * Serves one page. `parsed` is undefined for the first request of a new chain.
   * `cap` limits the entries of a whole round (the 5,000 limit with `$filter`, or `$top`).
   */
  page(
    chain: Chain,
    parsed: ParsedToken | undefined,
    coll: DeltaCollection,
    mailboxSeq: number,
    pageSize: number,
    cap?: number,
  ): DeltaPageResult {
    let round: { id: number; since: number; until: number };
    let pageIdx: number;
    let start: RoundPage;
    let replayingDone = false;
    if (!parsed || parsed.type === "delta") {
      const r: Round = {
        id: chain.nextRound++,
        since: chain.deltaSeq,
        until: mailboxSeq,
        pages: [{ cursor: "", emitted: 0 }],
        used: 0,
      };
      chain.round = r;
      chain.done = undefined;
      round = r;
      pageIdx = 0;
      start = r.pages[0] as RoundPage;
    } else if (chain.done && chain.done.roundId === parsed.round && chain.done.page === parsed.page) {
      const d = chain.done;
      round = { id: d.roundId, since: d.since, until: d.until };
      pageIdx = d.page;
      start = { cursor: d.cursor, emitted: d.emitted };
      replayingDone = true;
    } else {
      const r = chain.round as Round;
      r.used = Math.max(r.used, parsed.page);
      round = r;
      pageIdx = parsed.page;
      start = r.pages[pageIdx] as RoundPage;
    }

    const list = this.sortedEntries(chain, round, coll);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as DeltaEntry).sort <= start.cursor) lo = mid + 1;
      else hi = mid;
    }
    const out: DeltaEntry[] = [];
    const room = cap === undefined ? pageSize : Math.min(pageSize, Math.max(0, cap - start.emitted));
    let i = lo;
    for (; i < list.length && out.length < room; i++) {
      const e = list[i] as DeltaEntry;
      if (e.tomb || coll.valid(e, round.until)) out.push(e);
    }
    // Replays (fault): repeat an item already sent earlier in this round, unchanged.
    if (lo > 0 && this.replay()) {
      for (let j = lo - 1; j >= 0; j--) {
        const e = list[j] as DeltaEntry;
        if (!e.tomb && coll.valid(e, round.until)) {
          out.push(e);
          break;
        }
      }
    }
    const capReached = cap !== undefined && start.emitted + out.length >= cap;
    const more = i < list.length && !capReached;
    if (more && !replayingDone) {
      const r = chain.round as Round;
      const lastSort = (list[i - 1] as DeltaEntry).sort;
      r.pages[pageIdx + 1] = { cursor: lastSort, emitted: start.emitted + out.length };
      r.pages.length = pageIdx + 2;
      return { entries: out, skipToken: this.skipToken(chain, r.id, pageIdx + 1) };
    }
    if (!replayingDone) {
      chain.deltaGen += 1;
      chain.deltaSeq = round.until;
      chain.done = {
        roundId: round.id,
        page: pageIdx,
        cursor: start.cursor,
        emitted: start.emitted,
        since: round.since,
        until: round.until,
      };
      chain.round = undefined;
    }
    return { entries: out, deltaToken: this.deltaToken(chain) };
  }

  toJSON(): Chain[] {
    return [...this.chains.values()];
  }

  load(chains: Chain[]): void {
    this.clear();
    for (const c of chains) this.chains.set(c.id, c);
  }
}

/** Fixed-width hex so that string order equals numeric order. */
export function seqKey(n: number): string {
  return n.toString(16).padStart(12, "0");
}
