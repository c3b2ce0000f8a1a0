import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { findRepoRoot, settingsDir } from "@coffer/db/settings";
import { isAlive } from "./proc";

/** Where the local stack keeps everything: the settings folder (`.coffer/`, or COFFER_HOME). */
export type Layout = {
  repoRoot: string;
  home: string;
  stateFile: string;
  logs: string;
  pgRoot: string;
  redisDir: string;
  redisPidFile: string;
  redisLog: string;
  simDir: string;
  blobsDir: string;
};

export function layout(): Layout {
  const home = settingsDir();
  return {
    repoRoot: findRepoRoot(),
    home,
    stateFile: path.join(home, "stack.json"),
    logs: path.join(home, "logs"),
    // The throwaway cluster: data in pg/data, its unix socket in pg/, its log in pg/log.
    pgRoot: path.join(home, "pg"),
    redisDir: path.join(home, "redis"),
    redisPidFile: path.join(home, "redis", "redis.pid"),
    redisLog: path.join(home, "logs", "redis.log"),
    simDir: path.join(home, "sim"),
    blobsDir: path.join(home, "blobs"),
  };
}

export type ServiceName = "postgres" | "redis" | "sim" | "portal" | "worker";

/** What the stack started (or adopted, when it found it already running in its own layout). */
export type ServiceRecord = {
  pid: number;
  port: number;
  url: string;
  /** Postgres only: the cluster's data directory (pg_ctl stops it). */
  dataDir?: string;
  log?: string;
  /** Background Node processes: the kernel's start time of the pid, so a reused pid is never taken for ours. */
  startTime?: string;
  startedAt: string;
};

export type StackState = {
  services: Partial<Record<ServiceName, ServiceRecord>>;
  /** The last port of each service, preferred next time so the URLs in .coffer/env stay the same. */
  ports: Partial<Record<ServiceName, number>>;
};

export function readState(l: Layout): StackState {
  if (!existsSync(l.stateFile)) return { services: {}, ports: {} };
  try {
    const s = JSON.parse(readFileSync(l.stateFile, "utf8")) as Partial<StackState>;
    return { services: s.services ?? {}, ports: s.ports ?? {} };
  } catch {
    return { services: {}, ports: {} };
  }
}

export function writeState(l: Layout, state: StackState): void {
  mkdirSync(l.home, { recursive: true });
  const tmp = `${l.stateFile}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, l.stateFile);
}

/** Updates one service in stack.json (read-modify-write; callers hold the stack lock). */
export function recordService(l: Layout, name: ServiceName, record: ServiceRecord | undefined): void {
  const state = readState(l);
  if (record) {
    state.services[name] = record;
    state.ports[name] = record.port;
  } else {
    delete state.services[name];
  }
  writeState(l, state);
}

/**
 * A lock so two `npm run stack` (say, a developer's and `npm test`'s) do not start the same services
 * twice. A lock left by a dead process is taken over.
 */
export async function withStackLock<T>(l: Layout, fn: () => Promise<T>): Promise<T> {
  mkdirSync(l.home, { recursive: true });
  const lockFile = path.join(l.home, "stack.lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder = 0;
      let ageMs = 0;
      try {
        holder = Number(readFileSync(lockFile, "utf8").trim() || 0);
        ageMs = Date.now() - statSync(lockFile).mtimeMs;
      } catch {
        continue; // released between our two calls
      }
      // An empty lock file is one being written right now, unless it has been empty for a while.
      const alive = holder > 0 ? isAlive(holder) : ageMs < 10_000;
      if (!alive) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`Another stack command (pid ${holder}) has held ${lockFile} for 3 minutes.`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}
