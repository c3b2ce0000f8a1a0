import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnvFile } from "@coffer/db/settings";
import { testDatabaseUrl, testRedisUrl } from "@coffer/test/setup/integration";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, isListening } from "./stack/proc";

/**
 * The stack's whole life on a throwaway settings folder (COFFER_HOME), beside the shared development
 * stack: its own cluster and Redis on other ports, started, found running, checked by doctor, stopped by
 * pid, and nothing of it left afterwards.
 */

const repoRoot = path.resolve(import.meta.dirname, "..");
const homes: string[] = [];
const extraDirs: string[] = [];

function newHome(): string {
  const home = mkdtempSync(path.join(os.tmpdir(), "coffer-stack-it-"));
  homes.push(home);
  return home;
}

/** The environment of a developer's shell: no DATABASE_URL/REDIS_URL (the test process has the run's). */
function shellEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  return { ...rest, COFFER_HOME: home, ...extra };
}

function stack(home: string, args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/stack.ts", ...args], {
    cwd: repoRoot,
    env: shellEnv(home, extra),
    encoding: "utf8",
    timeout: 120_000,
  });
}

function coffer(home: string, args: string[]) {
  return spawnSync(process.execPath, ["worker/bin/coffer.js", ...args], {
    cwd: repoRoot,
    env: shellEnv(home),
    encoding: "utf8",
    timeout: 60_000,
  });
}

// Zombie-aware: a stopped daemon may wait a moment for init to reap it, and that is not "running".
const alive = (pid: number) => isAlive(pid);

afterAll(() => {
  for (const home of homes) {
    // Whatever a failed assertion left running in this folder is stopped before the folder goes.
    if (existsSync(path.join(home, "stack.json"))) stack(home, ["stop"]);
    rmSync(home, { recursive: true, force: true });
  }
  for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
});

describe("npm run stack on a throwaway settings folder", () => {
  it("starts, is idempotent, passes doctor, and stops leaving no process behind", () => {
    const home = newHome();

    const first = stack(home, ["start", "--without-sim"]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const pgPid = Number(/PostgreSQL: started, pid (\d+)/.exec(first.stdout)?.[1]);
    const redisPid = Number(/Redis: started, pid (\d+)/.exec(first.stdout)?.[1]);
    expect(alive(pgPid) && alive(redisPid)).toBe(true);

    // mkdtemp makes the folder private to root, so (as root) the cluster lives in a folder the postgres
    // user can reach; either way stack.json says where.
    const state = JSON.parse(readFileSync(path.join(home, "stack.json"), "utf8")) as {
      services: { postgres?: { dataDir?: string } };
    };
    const dataDir = state.services.postgres?.dataDir ?? "";
    expect(existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);
    if (!dataDir.startsWith(home)) extraDirs.push(path.dirname(dataDir));

    const env = parseEnvFile(readFileSync(path.join(home, "env"), "utf8"));
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/coffer$/);
    expect(env.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(env.COFFER_ENCRYPTION_KEY_FILE).toBe(path.join(home, "keys", "blob.key"));
    const pgPort = Number(new URL(env.DATABASE_URL!).port);
    const redisPort = Number(new URL(env.REDIS_URL!).port);

    const again = stack(home, ["start", "--without-sim"]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`PostgreSQL: already running, pid ${pgPid}`);
    expect(again.stdout).toContain(`Redis: already running, pid ${redisPid}`);
    expect(again.stdout).toContain("Everything was already running; nothing was started.");

    const status = JSON.parse(stack(home, ["status", "--json"]).stdout) as {
      services: { name: string; state: string; pid?: number }[];
    };
    expect(status.services.filter((s) => s.state === "running").map((s) => [s.name, s.pid])).toEqual([
      ["postgres", pgPid],
      ["redis", redisPid],
    ]);

    const doctor = coffer(home, ["doctor", "--json"]);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] }).checks;
    expect(checks.filter((c) => c.status === "ok").map((c) => c.name)).toEqual([
      "PostgreSQL",
      "Redis",
      "Storage",
    ]);

    const stop = stack(home, ["stop"]);
    expect(stop.status).toBe(0);
    expect(stop.stdout).toContain(`Stopped Redis (pid ${redisPid}), PostgreSQL (pid ${pgPid}).`);
    expect(alive(pgPid) || alive(redisPid)).toBe(false);
    const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
    expect(ps.split("\n").filter((line) => line.includes(home) || line.includes(`:${redisPort}`))).toEqual(
      [],
    );

    const down = coffer(home, ["doctor"]);
    expect(down.status).toBe(1);
    expect(down.stdout).toContain(
      `Redis at redis://127.0.0.1:${redisPort} is not answering (connection refused). Start it with \`npm run stack\`.`,
    );
    expect(down.stdout).toContain(
      `PostgreSQL at 127.0.0.1:${pgPort}/coffer is not answering (connection refused).`,
    );
  });

  it("starts nothing for services whose URL is set in the real environment", async () => {
    const home = newHome();
    const r = stack(home, ["start", "--without-sim"], {
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "PostgreSQL: DATABASE_URL is set in the environment; using it and starting none.",
    );
    expect(r.stdout).toContain("Redis: REDIS_URL is set in the environment; using it and starting none.");
    expect(r.stdout).toContain("PostgreSQL: migrations up to date.");
    expect(existsSync(path.join(home, "pg"))).toBe(false);
    expect(existsSync(path.join(home, "redis"))).toBe(false);
    const env = parseEnvFile(readFileSync(path.join(home, "env"), "utf8"));
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect(await isListening(Number(new URL(testRedisUrl()).port))).toBe(true);
  });
});
