import { existsSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { isOurs, spawnBackground, stopBackground } from "./background";
import { choosePort, isAlive, run, tail, waitFor } from "./proc";
import type { Layout, ServiceRecord, StackState } from "./state";

/** The portal (Next.js, `next start` of a production build) on 127.0.0.1, for the demo. */

export const PREFERRED_PORT = 3000;

export function portalAvailable(l: Layout): boolean {
  const app = path.join(l.repoRoot, "portal", "app");
  return ["page.tsx", "page.jsx", "page.ts", "page.js"].some((f) => existsSync(path.join(app, f)));
}

export function runningPortal(state: StackState): ServiceRecord | undefined {
  const r = state.services.portal;
  return r && isOurs(r.pid, r.startTime) ? r : undefined;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/", timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

export function buildPortal(l: Layout): void {
  const r = run("npm", ["run", "build", "-w", "@coffer/portal"], {
    cwd: l.repoRoot,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0)
    throw new Error(`The portal's build failed (npm run build -w @coffer/portal, exit ${r.status}).`);
}

export async function startPortal(
  l: Layout,
  state: StackState,
): Promise<{ record: ServiceRecord; started: boolean; notes: string[] }> {
  const already = runningPortal(state);
  if (already) return { record: already, started: false, notes: [] };
  const portalDir = path.join(l.repoRoot, "portal");
  const nextBin = createRequire(path.join(portalDir, "package.json")).resolve("next/dist/bin/next");
  const preferred = state.ports.portal ?? PREFERRED_PORT;
  const port = await choosePort(preferred);
  const notes = port === preferred ? [] : [`port ${preferred} is taken by another program, using ${port}`];
  const logFile = path.join(l.logs, "portal.log");
  const { pid, startTime } = spawnBackground({
    command: process.execPath,
    args: [nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
    cwd: portalDir,
    logFile,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port) },
  });
  try {
    await waitFor(
      "the portal to answer",
      async () => {
        if (!isAlive(pid)) throw new Error("exited");
        return answers(port);
      },
      60_000,
      250,
    );
  } catch (e) {
    await stopBackground(pid, startTime, 3000);
    const why = (e as Error).message === "exited" ? "exited" : "did not answer within 60 s";
    throw new Error(`The portal ${why}. Its log ${logFile} ends with:\n${tail(logFile)}`);
  }
  return {
    record: {
      pid,
      port,
      url: `http://127.0.0.1:${port}`,
      log: logFile,
      startTime,
      startedAt: new Date().toISOString(),
    },
    started: true,
    notes,
  };
}

export async function stopPortal(state: StackState): Promise<number | undefined> {
  const r = state.services.portal;
  if (!r) return undefined;
  return (await stopBackground(r.pid, r.startTime)) ? r.pid : undefined;
}
