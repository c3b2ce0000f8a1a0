import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isolatedEnv } from "@coffer/test/setup/processes";
import { WORKER_NODE_FLAGS } from "../../runtime/node-flags";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/coffer.js");
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

export type TCofferRun = {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; stdout: Buffer; stderr: string }>;
};

/**
 * Runs the real `coffer` command as a child process with exactly `settings` (nothing of this process's
 * environment, no `.coffer/env`): what an operator runs, and what a SIGKILL can hit anywhere.
 */
export function runCoffer(args: string[], settings: Record<string, string>): TCofferRun {
  const home = mkdtempSync(path.join(tmpdir(), "coffer-home-"));
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, BIN, ...args], {
    cwd: REPO,
    env: { ...isolatedEnv(settings), COFFER_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  let err = "";
  child.stdout!.on("data", (c: Buffer) => out.push(c));
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString("utf8");
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: Buffer; stderr: string }>(
    (resolve) => {
      child.on("close", (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
    },
  );
  return { child, done };
}
