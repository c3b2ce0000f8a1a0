import type { Db } from "@coffer/db/client";
import type { Redis } from "ioredis";
import type { Directory } from "../directory/directory";
import type { DirectoryPort } from "../graph/directory-port";
import type { ExchangeAdminPort } from "../graph/exchange-admin";
import type { TSyncDeps } from "../sync/types";

/** Everything a task run works with; built once per worker process (runtime/create-engine.ts). */
export type TEngine = {
  db: Db;
  /** Commands (locks, progress events); the same Redis the sync engine uses. */
  redis: Redis;
  /** Prefix of every Redis key and channel of this deployment (locks, cache, queues, progress). */
  redisPrefix: string;
  /** The archive engine's dependencies (Mailbox Folder Replication). */
  sync: TSyncDeps;
  directory: Directory;
  graph: Pick<DirectoryPort, "listCalendarPermissions">;
  exchange: ExchangeAdminPort;
  /** "host/pid": written to task_runs.worker_id. */
  workerId: string;
  /** Mailboxes processed at once within one run (default 4). */
  mailboxParallelism: number;
  /** How often a running run writes its heartbeat and latest detail. */
  runHeartbeatMs: number;
  /** Longest wait for a mailbox another task holds before the mailbox is reported as an error. */
  lockWaitTimeoutMs: number;
  log?: (line: string) => void;
};

export const DEFAULT_MAILBOX_PARALLELISM = 4;
