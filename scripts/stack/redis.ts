import { existsSync, mkdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { choosePort, cmdlineOf, isAlive, isRoot, run, tail, waitFor, which } from "./proc";
import type { Layout, ServiceRecord, StackState } from "./state";

/**
 * The stack's Redis: `redis-server` daemonized on 127.0.0.1 (port 56379 unless taken by something else),
 * its pid in `<home>/redis/redis.pid`, working dir `<home>/redis`, log `<home>/logs/redis.log`, and no
 * persistence (queues and caches of a development machine are throwaway).
 */

export const PREFERRED_PORT = 56379;

export const redisUrl = (port: number) => `redis://127.0.0.1:${port}`;

const NO_REDIS =
  "Redis is not installed: install Debian's redis-server package (`sudo apt-get install -y redis-server`) or " +
  "put a redis-server on PATH, then run `npm run stack` again.";

/** redis-server's path, installing Debian's package when it is missing and we are root with apt. */
export function ensureRedisServer(say: (line: string) => void): string {
  const found = which("redis-server");
  if (found) return found;
  if (!isRoot() || !which("apt-get")) throw new Error(NO_REDIS);
  say("Redis: redis-server is missing; installing Debian's redis-server package…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const lockWait = ["-o", "DPkg::Lock::Timeout=300"];
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", "redis-server"],
  ]) {
    const r = run("apt-get", [...lockWait, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    if (r.status !== 0)
      throw new Error(`\`apt-get ${args.join(" ")}\` failed:\n${r.stderr.trim()}\n${NO_REDIS}`);
  }
  const installed = which("redis-server");
  if (!installed) throw new Error(NO_REDIS);
  return installed;
}

export type RunningRedis = { pid: number; port: number };

/** The Redis of this layout when its pid file names a live redis-server (its title ends in host:port). */
export function runningRedis(l: Layout, state: StackState): RunningRedis | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(l.redisPidFile, "utf8").trim());
  } catch {
    return undefined;
  }
  if (!isAlive(pid)) return undefined;
  const cmdline = cmdlineOf(pid);
  if (!/^(\S*\/)?redis-server(\s|$)/.test(cmdline)) return undefined;
  const port = Number(/:(\d+)\s*$/.exec(cmdline)?.[1] ?? state.ports.redis ?? PREFERRED_PORT);
  return { pid, port };
}

/** Sends PING over a raw socket; true on +PONG. Avoids a client library for a one-line probe. */
export function pingRedis(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => {
      answer += d.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
  });
}

export async function startRedis(
  l: Layout,
  state: StackState,
  say: (line: string) => void,
): Promise<{ record: ServiceRecord; started: boolean; notes: string[] }> {
  const notes: string[] = [];
  const record = (r: RunningRedis): ServiceRecord => ({
    pid: r.pid,
    port: r.port,
    url: redisUrl(r.port),
    log: l.redisLog,
    startedAt: state.services.redis?.startedAt ?? new Date().toISOString(),
  });
  const already = runningRedis(l, state);
  if (already) return { record: record(already), started: false, notes };

  const server = ensureRedisServer(say);
  mkdirSync(l.redisDir, { recursive: true });
  mkdirSync(l.logs, { recursive: true });
  const preferred = state.ports.redis ?? PREFERRED_PORT;
  const port = await choosePort(preferred);
  if (port !== preferred) notes.push(`port ${preferred} is taken by another program, using ${port}`);
  const r = run(server, [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--daemonize",
    "yes",
    "--dir",
    l.redisDir,
    "--pidfile",
    l.redisPidFile,
    "--logfile",
    l.redisLog,
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  if (r.status !== 0)
    throw new Error(`redis-server did not start:\n${r.stderr || r.stdout}\n${tail(l.redisLog)}`);
  try {
    await waitFor(
      "Redis to answer PING",
      async () => runningRedis(l, state) !== undefined && (await pingRedis(port)),
      15_000,
    );
  } catch {
    throw new Error(
      `Redis did not come up on port ${port}. Its log ${l.redisLog} ends with:\n${tail(l.redisLog)}`,
    );
  }
  return { record: record(runningRedis(l, state)!), started: true, notes };
}

/** Stops this layout's Redis (SIGTERM, then SIGKILL after 10 s); returns its pid when it was running. */
export async function stopRedis(l: Layout, state: StackState): Promise<number | undefined> {
  const running = runningRedis(l, state);
  if (!running) return undefined;
  process.kill(running.pid, "SIGTERM");
  try {
    await waitFor(`Redis (pid ${running.pid}) to exit`, () => !isAlive(running.pid), 10_000);
  } catch {
    process.kill(running.pid, "SIGKILL");
    await waitFor(`Redis (pid ${running.pid}) to exit`, () => !isAlive(running.pid), 5_000);
  }
  return running.pid;
}

export const hasRedisLayout = (l: Layout) => existsSync(l.redisPidFile);
