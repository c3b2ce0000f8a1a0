import type { BlobStore } from "@coffer/db/blobs/index";
import type { Db } from "@coffer/db/client";
import type { Redis } from "ioredis";
import type { TRequestStats } from "../graph/middleware";
import type { GraphPort, MailboxSource } from "../graph/port";

/** What the sync engine runs against. Everything real: Postgres, the blob store, Redis, Graph (or the simulator). */
export type TSyncDeps = {
  db: Db;
  blobs: BlobStore;
  graph: GraphPort;
  redis: Redis;
  /** Prefix of Redis keys (locks); tests use a unique one. */
  redisPrefix: string;
  log?: (line: string) => void;
};

export type TSyncOptions = {
  /**
   * The first sync of a mailbox archives the last `recentDays` of every folder first ('recent' phase, a
   * delta round with `$filter=receivedDateTime ge …`), then everything ('full' phase). 0 skips the phase.
   */
  recentDays?: number;
  /** Stop once every folder finished its recent round (the tenant-wide first pass of `sync --all`). */
  isRecentOnly?: boolean;
  /** MIME downloads in flight per mailbox (the shared limiter still caps requests at 4). */
  fetchConcurrency?: number;
  /** Folders synced at once within a mailbox (overlaps one folder's commit with another's downloads). */
  folderConcurrency?: number;
  /** Wait for a run of the same mailbox that holds the lock, instead of failing at once. */
  shouldWaitForLock?: boolean;
  lockWaitTimeoutMs?: number;
};

/** The outcome of one mailbox run (what `coffer sync` prints). */
export type TSyncStats = {
  added: number;
  changed: number;
  removed: number;
  skipped: number;
  requests: number;
  throttled: number;
  retries: number;
  bytes: number;
  folders: number;
  seconds: number;
};

/** What syncMailbox returns: the stats, or why policy refused the run (de-provisioned, mail sync off). */
export type TSyncResult = TSyncStats & { skippedReason?: string };

export function newSyncStats(): TSyncStats {
  return {
    added: 0,
    changed: 0,
    removed: 0,
    skipped: 0,
    requests: 0,
    throttled: 0,
    retries: 0,
    bytes: 0,
    folders: 0,
    seconds: 0,
  };
}

/** One mailbox run's context, passed to the folder and message steps. */
export type TRunContext = {
  deps: TSyncDeps;
  opts: Required<Omit<TSyncOptions, "lockWaitTimeoutMs">>;
  /** The mailbox's row id in Postgres. */
  mailboxId: string;
  source: MailboxSource;
  /** The run's observation time (all changes of the run carry it). */
  observedAt: Date;
  /** Was the mailbox's hierarchy never fully synced before this run (its first sync)? */
  isFirstSync: boolean;
  stats: TSyncStats;
  requestStats: TRequestStats;
  signal: AbortSignal;
};
