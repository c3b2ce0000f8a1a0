import { existsSync, readFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { parseEnvFile } from "@coffer/db/settings";
import { isOurs, spawnBackground, stopBackground } from "./background";
import { choosePort, isAlive, tail, waitFor } from "./proc";
import type { Layout, ServiceRecord, StackState } from "./state";

/**
 * The Microsoft 365 simulator (test/m365-sim), run in the background for development and the demo. It
 * writes its own M365_* settings into .coffer/env and its CA to `<home>/sim/ca.pem`; the stack only picks
 * its port, starts it and waits for `GET /_sim/health`.
 */

export const SIM_ENTRY = "test/m365-sim/src/main.ts";
export const PREFERRED_PORT = 56443;

export const simAvailable = (l: Layout) => existsSync(path.join(l.repoRoot, SIM_ENTRY));

/** GET /_sim/health over HTTPS, trusting only the simulator's CA; true on 200. */
function simHealthy(port: number, caFile: string): Promise<boolean> {
  if (!existsSync(caFile)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = https.get(
      {
        host: "127.0.0.1",
        port,
        path: "/_sim/health",
        ca: readFileSync(caFile),
        // The probe trusts the simulator's own CA; which host names its certificate lists is its business.
        checkServerIdentity: () => undefined,
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

function envHasAuthority(l: Layout): boolean {
  try {
    return Boolean(parseEnvFile(readFileSync(path.join(l.home, "env"), "utf8")).M365_AUTHORITY);
  } catch {
    return false;
  }
}

export function runningSim(state: StackState): ServiceRecord | undefined {
  const r = state.services.sim;
  return r && isOurs(r.pid, r.startTime) ? r : undefined;
}

export async function startSim(
  l: Layout,
  state: StackState,
): Promise<{ record: ServiceRecord; started: boolean; notes: string[] } | undefined> {
  if (!simAvailable(l)) return undefined;
  const already = runningSim(state);
  if (already) return { record: already, started: false, notes: [] };

  const preferred = state.ports.sim ?? PREFERRED_PORT;
  const port = await choosePort(preferred);
  const notes = port === preferred ? [] : [`port ${preferred} is taken by another program, using ${port}`];
  const logFile = path.join(l.logs, "sim.log");
  const caFile = path.join(l.simDir, "ca.pem");
  // `node --import tsx` keeps it one process (the tsx CLI would add a wrapper process around it).
  const { pid, startTime } = spawnBackground({
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      SIM_ENTRY,
      "--port",
      String(port),
      "--state",
      path.join(l.simDir, "state.json"),
    ],
    cwd: l.repoRoot,
    logFile,
  });
  try {
    await waitFor(
      "the simulator's /_sim/health",
      async () => {
        if (!isAlive(pid)) throw new Error("exited");
        return simHealthy(port, caFile);
      },
      90_000,
      250,
    );
    // The simulator publishes its M365_* settings right after it starts listening; callers of
    // `npm run stack` read them straight away, so wait until they are in the file.
    await waitFor("the simulator's settings in .coffer/env", () => envHasAuthority(l), 15_000, 100);
  } catch (e) {
    await stopBackground(pid, startTime, 3000);
    const why =
      (e as Error).message === "exited"
        ? "exited"
        : (e as Error).message.replace(/^Gave up/, "was not ready: gave up");
    throw new Error(`The Microsoft 365 simulator ${why}. Its log ${logFile} ends with:\n${tail(logFile)}`);
  }
  return {
    record: {
      pid,
      port,
      url: `https://127.0.0.1:${port}`,
      log: logFile,
      startTime,
      startedAt: new Date().toISOString(),
    },
    started: true,
    notes,
  };
}

export async function stopSim(state: StackState): Promise<number | undefined> {
  const r = state.services.sim;
  if (!r) return undefined;
  return (await stopBackground(r.pid, r.startTime)) ? r.pid : undefined;
}
