import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { isAlive, isGroupAlive, startTimeOf, waitFor } from "./proc";

/**
 * Long-running Node processes of the stack (the simulator, the portal). Each is started detached, as the
 * leader of its own process group, with its output appended to a log file, so it outlives `npm run stack`
 * and `stack:stop` can end it and anything it spawned by signalling the group.
 */

export function spawnBackground(opts: {
  command: string;
  args: readonly string[];
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}): { pid: number; startTime: string | undefined } {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, "a");
  try {
    const child = spawn(opts.command, [...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${opts.command} ${opts.args.join(" ")}`);
    return { pid: child.pid, startTime: startTimeOf(child.pid) };
  } finally {
    closeSync(fd);
  }
}

/** True when `pid` is alive and is still the process we started (same kernel start time). */
export function isOurs(pid: number | undefined, startTime: string | undefined): pid is number {
  return isAlive(pid) && startTime !== undefined && startTimeOf(pid) === startTime;
}

/**
 * Ends a process group started by spawnBackground: SIGTERM, then SIGKILL after `graceMs`. Does nothing
 * when the leader is gone and its group is empty, or when the pid now belongs to another program.
 */
export async function stopBackground(
  pid: number,
  startTime: string | undefined,
  graceMs = 10_000,
): Promise<boolean> {
  const leaderIsOurs = isOurs(pid, startTime);
  if (!leaderIsOurs && (isAlive(pid) || !isGroupAlive(pid))) return false;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // the group is already gone
    }
  };
  signal("SIGTERM");
  try {
    await waitFor(`process group ${pid} to exit`, () => !isGroupAlive(pid), graceMs);
  } catch {
    signal("SIGKILL");
    await waitFor(`process group ${pid} to exit`, () => !isGroupAlive(pid), 5_000);
  }
  return true;
}
