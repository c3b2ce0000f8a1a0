import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { settingsDir } from "@coffer/db/settings";
import { Agent, request } from "undici";

/**
 * The simulator as its own process for benchmarks, so that its CPU time can be read apart from the
 * client's: on the shared 2-core machine wall-clock figures mostly say how busy the neighbours are,
 * CPU seconds say what the simulator costs.
 */

export interface BenchSim {
  url: string;
  pid: number;
  agent: Agent;
  /** Authorization header of an app token (Graph, application permissions). */
  auth: Record<string, string>;
  /** The simulator's CPU time so far (user + system), in seconds: what its process.cpuUsage() says. */
  cpu(): number;
  rssMb(): number;
  get(p: string, headers?: Record<string, string>): Promise<{ status: number; body: Buffer }>;
  json<T>(method: string, p: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

const HZ = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

export async function startBenchSim(
  opts: { users?: number; messagesPerUser?: number; connections?: number } = {},
): Promise<BenchSim> {
  const dir = mkdtempSync(path.join(tmpdir(), "m365sim-bench-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(process.env.SIM_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SIM_CPU_PROF}`] : []),
      "--import",
      "tsx",
      path.join(import.meta.dirname, "../src/main.ts"),
      "--state",
      path.join(dir, "state.json"),
      "--users",
      String(opts.users ?? 2),
      "--messages-per-user",
      String(opts.messagesPerUser ?? 20),
      "--no-throttle",
      "--no-env",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout?.on("data", (c: Buffer) => {
        buf += c.toString();
        const m = /listening on (https:\/\/\S+)/.exec(buf);
        if (m) resolve(m[1] as string);
      });
      child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
    });
    const ca = readFileSync(path.join(settingsDir(), "sim", "ca.pem"), "utf8");
    const agent = new Agent({
      connect: { ca: [...rootCertificates, ca] },
      connections: opts.connections ?? 16,
      pipelining: 1,
      bodyTimeout: 0,
      headersTimeout: 0,
    });
    const get = async (p: string, headers: Record<string, string> = {}) => {
      const r = await request(`${url}${p}`, { dispatcher: agent, headers });
      return { status: r.statusCode, body: Buffer.from(await r.body.arrayBuffer()) };
    };
    const json = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
      const r = await request(`${url}${p}`, {
        dispatcher: agent,
        method: method as "GET",
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
      const text = await r.body.text();
      if (r.statusCode >= 300) throw new Error(`${method} ${p}: ${r.statusCode} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const tenant = await json<{ tenantId: string; clientId: string; clientSecret: string }>(
      "GET",
      "/_sim/tenant",
    );
    const tokenRes = await request(`${url}/${tenant.tenantId}/oauth2/v2.0/token`, {
      dispatcher: agent,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: tenant.clientId,
        client_secret: tenant.clientSecret,
        grant_type: "client_credentials",
        scope: "https://graph.microsoft.com/.default",
      }).toString(),
    });
    const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
    const pid = child.pid as number;
    return {
      url,
      pid,
      agent,
      auth: { authorization: `Bearer ${token}` },
      cpu() {
        const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
        return (Number(f[11]) + Number(f[12])) / HZ; // utime + stime
      },
      rssMb() {
        const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
        return Number(kb) / 1024;
      },
      get,
      json,
      async close() {
        await agent.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs `fn`, returning its wall-clock seconds and the simulator's CPU seconds meanwhile. */
export async function measure<T>(
  sim: BenchSim,
  fn: () => Promise<T>,
): Promise<{ result: T; wall: number; cpu: number }> {
  const cpu0 = sim.cpu();
  const t0 = performance.now();
  const result = await fn();
  return { result, wall: (performance.now() - t0) / 1000, cpu: sim.cpu() - cpu0 };
}
