import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { settingsDir } from "@coffer/db/settings";
import { Agent, request } from "undici";

/**
 * How fast is the simulator? Starts it as its own process (throttling off), then from this process:
 *  1. small Graph GETs over HTTPS keep-alive for a fixed time with a fixed number of parallel workers;
 *  2. streams a large uploaded message through `$value`.
 * Prints figures; asserts nothing. Run: `npx tsx test/m365-sim/bench/throughput.ts [seconds] [parallel] [MB]`.
 */

const seconds = Number(process.argv[2] ?? 5);
const parallel = Number(process.argv[3] ?? 16);
const bigMb = Number(process.argv[4] ?? 100);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "m365sim-bench-"));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.SIM_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SIM_CPU_PROF}`] : []),
      "--import",
      "tsx",
      path.join(import.meta.dirname, "../src/main.ts"),
      "--state",
      path.join(dir, "state.json"),
      "--users",
      "2",
      "--messages-per-user",
      "20",
      "--no-throttle",
      "--no-env",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = "";
      child.stdout.on("data", (c: Buffer) => {
        buf += c.toString();
        const m = /listening on (https:\/\/\S+)/.exec(buf);
        if (m) resolve(m[1] as string);
      });
      child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
    });
    const ca = readFileSync(path.join(settingsDir(), "sim", "ca.pem"), "utf8");
    const agent = new Agent({
      connect: { ca: [...rootCertificates, ca] },
      connections: parallel,
      pipelining: 1,
    });
    const get = async (p: string, headers: Record<string, string> = {}) => {
      const r = await request(`${url}${p}`, { dispatcher: agent, headers });
      const body = Buffer.from(await r.body.arrayBuffer());
      return { status: r.statusCode, body };
    };
    const tenant = JSON.parse((await get("/_sim/tenant")).body.toString()) as {
      tenantId: string;
      clientId: string;
      clientSecret: string;
    };
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
    const auth = { authorization: `Bearer ${token}` };
    const users = JSON.parse((await get("/_sim/users")).body.toString()) as Array<{
      userPrincipalName: string;
      hasMailbox: boolean;
    }>;
    const upn = users.find((u) => u.hasMailbox)?.userPrincipalName as string;
    const small = `/v1.0/users/${upn}/mailFolders/inbox?$select=id,displayName,totalItemCount`;

    // warm-up, then measure
    for (let i = 0; i < 200; i++) await get(small, auth);
    const cpu = () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in seconds (USER_HZ = 100)
    };
    const cpu0 = cpu();
    let done = 0;
    let failed = 0;
    const until = Date.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (Date.now() < until) {
          const r = await get(small, auth);
          if (r.status === 200) done++;
          else failed++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpuUsed = cpu() - cpu0;
    console.log(
      `small GETs: ${done} in ${elapsed.toFixed(1)} s = ${(done / elapsed).toFixed(0)} requests/s (${parallel} parallel keep-alive connections, ${failed} failed)`,
    );
    console.log(
      `simulator CPU: ${cpuUsed.toFixed(2)} s for ${done} requests = ${((cpuUsed / Math.max(1, done)) * 1e6).toFixed(0)} µs per request, i.e. ${(done / Math.max(0.01, cpuUsed)).toFixed(0)} requests per CPU-second`,
    );

    // one big message through $value
    const big = Buffer.concat([
      Buffer.from(
        `From: a@b.example\r\nTo: c@d.example\r\nSubject: big\r\nMessage-ID: <big@bench>\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
      ),
      Buffer.alloc(bigMb * 1024 * 1024, "QUJD"),
    ]);
    const up = await request(`${url}/_sim/users/${upn}/messages?folder=Inbox`, {
      dispatcher: agent,
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: big,
    });
    const { id } = (await up.body.json()) as { id: string };
    const t0 = performance.now();
    const v = await request(`${url}/v1.0/users/${upn}/messages/${id}/$value`, {
      dispatcher: agent,
      headers: auth,
    });
    let n = 0;
    for await (const chunk of v.body) n += (chunk as Buffer).length;
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `$value: ${(n / 1024 / 1024).toFixed(0)} MB in ${secs.toFixed(2)} s = ${(n / 1024 / 1024 / secs).toFixed(0)} MB/s (byte-exact: ${n === big.length})`,
    );
    console.log(
      `simulator RSS after the run: see /proc/${child.pid}/status VmRSS = ${readFileSync(`/proc/${child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+ kB)/)?.[1]}`,
    );
    await agent.close();
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
