import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

/** Small process and port helpers for the local stack. Linux only (reads /proc), like the stack itself. */

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * The fields of /proc/<pid>/stat after the command name: [0] is the state, [2] the process group,
 * [19] the start time. The name (field 2) may contain spaces and parentheses, so split after the last ")".
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * True while a process with this pid exists and has not exited. A zombie counts as exited: a daemon
 * reparented to this machine's init stays a zombie until init reaps it, which can take seconds.
 */
export function isAlive(pid: number | undefined): pid is number {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== "Z";
}

/** The command line of a process, or "" when it is gone; used to tell our process from a reused pid. */
export function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/**
 * When the process started (clock ticks since boot, field 22 of /proc/<pid>/stat). Together with the pid
 * it identifies a process for good: a reused pid has a later start time.
 */
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True while any live (not zombie) process belongs to the process group `pgid`. */
export function isGroupAlive(pgid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(Number(entry));
    if (f && f[2] === String(pgid) && f[0] !== "Z") return true;
  }
  return false;
}

export async function waitFor(
  what: string,
  probe: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline)
      throw new Error(`Gave up waiting for ${what} after ${Math.round(timeoutMs / 1000)} s.`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** True when nothing listens on 127.0.0.1:port (we could bind it). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel considers free right now (there is a small race until the service binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The preferred port when it is free, otherwise any free one. */
export async function choosePort(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : freePort();
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The full path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export type RunResult = { status: number; stdout: string; stderr: string };

/** Runs a command to completion, capturing its output (never throws for a non-zero exit). */
export function run(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options });
  if (r.error) return { status: 127, stdout: "", stderr: r.error.message };
  return { status: r.status ?? 1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
