import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { createDb, type Db } from "@coffer/db/client";
import { migrateToLatest } from "@coffer/db/migrate";
import { loadSettingsEnv } from "@coffer/db/settings";
import pg from "pg";

/**
 * A throwaway archive for a benchmark: its own database on the stack's PostgreSQL (dropped at the end), a
 * blob folder in /tmp and a random encryption key. Never touches the stack's `coffer` database.
 */
export type TBenchArchive = {
  databaseUrl: string;
  redisUrl: string;
  blobDir: string;
  keyBase64: string;
  db: Db;
  drop(): Promise<void>;
};

export async function createBenchArchive(label: string): Promise<TBenchArchive> {
  const env = loadSettingsEnv();
  const base = env.DATABASE_URL;
  const redisUrl = env.REDIS_URL;
  if (!base || !redisUrl) throw new Error("benchmarks need the stack: run `npm run stack` first");
  const name = `coffer_bench_${label}_${randomBytes(4).toString("hex")}`;
  const admin = withDatabase(base, "postgres");
  await adminQuery(admin, `CREATE DATABASE "${name}"`);
  const databaseUrl = withDatabase(base, name);
  const db = createDb(databaseUrl, 4);
  const { error } = await migrateToLatest(db as never);
  if (error) throw error;
  const blobDir = mkdtempSync(path.join(tmpdir(), `coffer-bench-${label}-`));
  return {
    databaseUrl,
    redisUrl,
    blobDir,
    keyBase64: randomBytes(32).toString("base64"),
    db,
    async drop() {
      await db.destroy();
      await adminQuery(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The machine, for the record in docs/benchmarks.md. */
export function machine(): string {
  const model = cpus()[0]?.model ?? "unknown CPU";
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return `${cpus().length} × ${model}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.versions.node}, load average ${load}`;
}

/** CPU seconds (user + system) and peak RSS of a process, from /proc. */
export function procStats(pid: number): { cpuSeconds: number; peakRssMb: number; rssMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuSeconds, peakRssMb: kb("VmHWM") / 1024, rssMb: kb("VmRSS") / 1024 };
  } catch {
    return undefined;
  }
}
