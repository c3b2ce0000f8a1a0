import path from "node:path";
import { ensureDevKey } from "@coffer/db/blobs/config";
import { createDb } from "@coffer/db/client";
import { migrateToLatest } from "@coffer/db/migrate";
import { loadSettingsEnv, updateSettingsEnv } from "@coffer/db/settings";
import { buildPortal, portalAvailable, runningPortal, startPortal, stopPortal } from "./stack/portal";
import { runningPostgres, startPostgres, stopPostgres } from "./stack/postgres";
import { isAlive } from "./stack/proc";
import { runningRedis, startRedis, stopRedis } from "./stack/redis";
import { runningSim, SIM_ENTRY, simAvailable, startSim, stopSim } from "./stack/sim";
import {
  type Layout,
  layout,
  readState,
  recordService,
  type ServiceName,
  withStackLock,
} from "./stack/state";
import { runningWorker, startWorker, stopWorker } from "./stack/worker";

/**
 * `npm run stack` / `stack:stop` / `stack:status`: the local services Coffer needs, in the background.
 *
 *   start   PostgreSQL + Redis (started, or adopted when already running in this settings folder), the
 *           `coffer` database and its migrations, a development encryption key, and the Microsoft 365
 *           simulator when it is present (`--without-sim` leaves it out). Writes DATABASE_URL / REDIS_URL into .coffer/env (other keys
 *           are kept) and pids + ports into .coffer/stack.json. Idempotent.
 *   stop    Stops exactly what start started or adopted, by pid (pg_ctl for PostgreSQL).
 *   status  What runs, with pids, ports and URLs (`--json` for scripts).
 *   portal  Builds and starts the portal in the background (the demo); `--no-build` to skip the build.
 *   worker  Starts the worker (`coffer worker`: Exchange Tasks of the site) in the background (the demo).
 *
 * DATABASE_URL or REDIS_URL in the real environment mean "use that one": nothing is started for it.
 * COFFER_HOME moves the whole settings folder (tests use a throwaway one).
 */

const say = (line: string) => console.log(line);
const rel = (l: Layout, p: string) => (p.startsWith(`${l.repoRoot}/`) ? path.relative(l.repoRoot, p) : p);

/** Real-environment URLs (not .coffer/env): when set, the stack leaves that service to its owner. */
const external = { postgres: process.env.DATABASE_URL, redis: process.env.REDIS_URL };

async function migrate(url: string): Promise<string> {
  const db = createDb(url, 2);
  try {
    const { error, results } = await migrateToLatest(db as never);
    if (error)
      throw new Error(`Migrations failed: ${error instanceof Error ? error.message : String(error)}`);
    const applied = (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
    return applied.length ? `applied ${applied.join(", ")}` : "up to date";
  } finally {
    await db.destroy();
  }
}

/**
 * Development-only storage settings: a random encryption key in .coffer/keys (the blob store's
 * `ensureDevKey`) and blobs in .coffer/blobs, unless the environment or .coffer/env already says where
 * they are. Production configures its own key.
 */
function ensureDevStorage(l: Layout): string | undefined {
  const env = loadSettingsEnv();
  const values: Record<string, string> = {};
  if (!env.COFFER_ENCRYPTION_KEY && !env.COFFER_ENCRYPTION_KEY_FILE) {
    values.COFFER_ENCRYPTION_KEY_FILE = ensureDevKey(l.home).path;
  }
  if (!env.COFFER_BLOB_DIR) values.COFFER_BLOB_DIR = l.blobsDir;
  if (Object.keys(values).length === 0) return undefined;
  updateSettingsEnv(values);
  return Object.keys(values).join(", ");
}

async function start(withSim: boolean): Promise<void> {
  const l = layout();
  await withStackLock(l, async () => {
    let startedAny = false;
    const report = (
      label: string,
      r: { record: { pid: number; url: string }; started: boolean; notes: string[] },
    ) => {
      startedAny ||= r.started;
      const notes = r.notes.length ? ` (${r.notes.join("; ")})` : "";
      say(
        `${label}: ${r.started ? "started" : "already running"}, pid ${r.record.pid}, ${r.record.url}${notes}`,
      );
    };

    let databaseUrl = external.postgres;
    if (databaseUrl) {
      say("PostgreSQL: DATABASE_URL is set in the environment; using it and starting none.");
    } else {
      const r = await startPostgres(l, readState(l));
      recordService(l, "postgres", r.record);
      updateSettingsEnv({ DATABASE_URL: r.record.url });
      databaseUrl = r.record.url;
      report("PostgreSQL", r);
    }
    say(`PostgreSQL: migrations ${await migrate(databaseUrl)}.`);

    if (external.redis) {
      say("Redis: REDIS_URL is set in the environment; using it and starting none.");
    } else {
      const r = await startRedis(l, readState(l), say);
      recordService(l, "redis", r.record);
      updateSettingsEnv({ REDIS_URL: r.record.url });
      report("Redis", r);
    }

    const storage = ensureDevStorage(l);
    if (storage) say(`Storage: wrote development ${storage} to ${rel(l, path.join(l.home, "env"))}.`);

    if (!withSim) {
      say("Microsoft 365 simulator: skipped (--without-sim).");
    } else {
      const sim = await startSim(l, readState(l));
      if (sim) {
        recordService(l, "sim", sim.record);
        report("Microsoft 365 simulator", sim);
      } else {
        say(`Microsoft 365 simulator: skipped (${SIM_ENTRY} is not there yet).`);
      }
    }

    say(
      startedAny
        ? `Settings are in ${rel(l, path.join(l.home, "env"))}. Stop everything with \`npm run stack:stop\`.`
        : "Everything was already running; nothing was started.",
    );
  });
}

async function stop(): Promise<void> {
  const l = layout();
  await withStackLock(l, async () => {
    const state = readState(l);
    const stopped: string[] = [];
    const note = (label: string, pid: number | undefined) => {
      if (pid) stopped.push(`${label} (pid ${pid})`);
    };
    note("worker", await stopWorker(state));
    recordService(l, "worker", undefined);
    note("portal", await stopPortal(state));
    recordService(l, "portal", undefined);
    note("Microsoft 365 simulator", await stopSim(state));
    recordService(l, "sim", undefined);
    note("Redis", await stopRedis(l, state));
    recordService(l, "redis", undefined);
    // The cluster of this settings folder, whether stack.json recorded it or it was started by hand in
    // the same layout.
    const dataDir = state.services.postgres?.dataDir ?? path.join(l.pgRoot, "data");
    note("PostgreSQL", await stopPostgres(l, dataDir));
    recordService(l, "postgres", undefined);

    const leftovers = Object.entries(state.services)
      .filter(([, r]) => r && isAlive(r.pid))
      .map(([name, r]) => `${name} (pid ${r?.pid})`);
    if (leftovers.length) throw new Error(`Still running after stop: ${leftovers.join(", ")}.`);
    say(stopped.length ? `Stopped ${stopped.join(", ")}.` : "Nothing of the stack was running.");
  });
}

type ServiceStatus = {
  name: ServiceName;
  state: "running" | "stopped" | "external" | "absent";
  pid?: number;
  port?: number;
  url?: string;
  note?: string;
};

function status(json: boolean): void {
  const l = layout();
  const state = readState(l);
  const services: ServiceStatus[] = [];

  if (external.postgres)
    services.push({ name: "postgres", state: "external", note: "DATABASE_URL from the environment" });
  else {
    const dataDir = state.services.postgres?.dataDir ?? path.join(l.pgRoot, "data");
    const r = runningPostgres(dataDir);
    services.push(
      r
        ? {
            name: "postgres",
            state: "running",
            pid: r.pid,
            port: r.port,
            url: `postgres://postgres@127.0.0.1:${r.port}/coffer`,
          }
        : { name: "postgres", state: "stopped" },
    );
  }
  if (external.redis)
    services.push({ name: "redis", state: "external", note: "REDIS_URL from the environment" });
  else {
    const r = runningRedis(l, state);
    services.push(
      r
        ? { name: "redis", state: "running", pid: r.pid, port: r.port, url: `redis://127.0.0.1:${r.port}` }
        : { name: "redis", state: "stopped" },
    );
  }
  const sim = runningSim(state);
  services.push(
    sim
      ? { name: "sim", state: "running", pid: sim.pid, port: sim.port, url: sim.url }
      : simAvailable(l)
        ? { name: "sim", state: "stopped" }
        : { name: "sim", state: "absent", note: `${SIM_ENTRY} is not there yet` },
  );
  const portal = runningPortal(state);
  services.push(
    portal
      ? { name: "portal", state: "running", pid: portal.pid, port: portal.port, url: portal.url }
      : portalAvailable(l)
        ? { name: "portal", state: "stopped", note: "started by `npm run demo`" }
        : { name: "portal", state: "absent", note: "portal/app/page.tsx is not there yet" },
  );

  const worker = runningWorker(state);
  services.push(
    worker
      ? { name: "worker", state: "running", pid: worker.pid, note: worker.log }
      : { name: "worker", state: "stopped", note: "started by `npm run demo`" },
  );

  if (json) {
    console.log(JSON.stringify({ home: l.home, services }, null, 2));
    return;
  }
  const labels: Record<ServiceName, string> = {
    postgres: "PostgreSQL",
    redis: "Redis",
    sim: "Microsoft 365 simulator",
    portal: "Portal",
    worker: "Worker",
  };
  say(`Settings folder: ${l.home}`);
  for (const s of services) {
    const where = s.state === "running" ? `pid ${s.pid}, ${s.url ?? s.note ?? ""}` : (s.note ?? "");
    say(`${labels[s.name].padEnd(24)} ${s.state.padEnd(9)} ${where}`.trimEnd());
  }
}

async function portal(build: boolean): Promise<void> {
  const l = layout();
  if (!portalAvailable(l)) {
    say("Portal: skipped (portal/app/page.tsx is not there yet).");
    return;
  }
  await withStackLock(l, async () => {
    const running = runningPortal(readState(l));
    if (running) {
      say(`Portal: already running, pid ${running.pid}, ${running.url}`);
      return;
    }
    if (build) buildPortal(l);
    const r = await startPortal(l, readState(l));
    recordService(l, "portal", r.record);
    const notes = r.notes.length ? ` (${r.notes.join("; ")})` : "";
    say(`Portal: started, pid ${r.record.pid}, ${r.record.url}${notes}`);
  });
}

async function worker(): Promise<void> {
  const l = layout();
  await withStackLock(l, async () => {
    const r = await startWorker(l, readState(l));
    recordService(l, "worker", r.record);
    say(`Worker: ${r.started ? "started" : "already running"}, pid ${r.record.pid}, log ${r.record.log}`);
  });
}

const [command = "start", ...flags] = process.argv.slice(2);
try {
  switch (command) {
    case "start":
      await start(!flags.includes("--without-sim"));
      break;
    case "stop":
      await stop();
      break;
    case "status":
      status(flags.includes("--json"));
      break;
    case "portal":
      await portal(!flags.includes("--no-build"));
      break;
    case "worker":
      await worker();
      break;
    default:
      console.error(`Unknown command "${command}". Use start, stop, status, portal or worker.`);
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
