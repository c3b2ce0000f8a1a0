import { loadavg } from "node:os";
import { request } from "undici";
import { startBenchSim } from "./sim-process";

/**
 * How fast is the simulator? Starts it as its own process (throttling off), then from this process:
 *  1. a fixed number of small Graph GETs over HTTPS keep-alive with a fixed number of parallel workers;
 *  2. streams a large uploaded message through `$value`.
 * Reports wall-clock rates and CPU seconds of both processes: on the shared 2-core machine the
 * wall-clock rate mostly says how busy the neighbours are, the simulator's CPU time per request says
 * what it can serve. Prints figures; asserts nothing.
 *
 *   npx tsx test/m365-sim/bench/throughput.ts [requests=20000] [parallel=16] [MB=100]
 */

const total = Number(process.argv[2] ?? 20_000);
const parallel = Number(process.argv[3] ?? 16);
const bigMb = Number(process.argv[4] ?? 100);

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function main(): Promise<void> {
  const sim = await startBenchSim({ connections: parallel });
  try {
    const users = await sim.json<Array<{ userPrincipalName: string; hasMailbox: boolean }>>(
      "GET",
      "/_sim/users",
    );
    const upn = users.find((u) => u.hasMailbox)?.userPrincipalName as string;
    const small = `/v1.0/users/${upn}/mailFolders/inbox?$select=id,displayName,totalItemCount`;

    // warm-up, then the measured, bounded loop
    for (let i = 0; i < 500; i++) await sim.get(small, sim.auth);
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    const simCpu0 = sim.cpu();
    const ownCpu0 = process.cpuUsage();
    let issued = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (issued < total) {
          issued++;
          const r = await sim.get(small, sim.auth);
          if (r.status !== 200) failed++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const simCpu = sim.cpu() - simCpu0;
    const ownCpu = cpuSeconds(process.cpuUsage(ownCpu0));
    const perRequest = (s: number) => `${((s / total) * 1e6).toFixed(0)} µs`;
    console.log(
      `small GETs: ${total} in ${elapsed.toFixed(1)} s = ${(total / elapsed).toFixed(0)} requests/s wall-clock (${parallel} parallel keep-alive connections, ${failed} failed)`,
    );
    console.log(
      `simulator CPU: ${simCpu.toFixed(2)} s = ${perRequest(simCpu)} per request → ${(total / Math.max(0.01, simCpu)).toFixed(0)} requests per CPU-second`,
    );
    console.log(
      `client (this process) CPU: ${ownCpu.toFixed(2)} s = ${perRequest(ownCpu)} per request; the two together used ${((simCpu + ownCpu) / elapsed).toFixed(2)} of the 2 cores`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );

    // one big message through $value
    const big = Buffer.concat([
      Buffer.from(
        `From: a@b.example\r\nTo: c@d.example\r\nSubject: big\r\nMessage-ID: <big@bench>\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
      ),
      Buffer.alloc(bigMb * 1024 * 1024, "QUJD"),
    ]);
    const up = await request(`${sim.url}/_sim/users/${upn}/messages?folder=Inbox`, {
      dispatcher: sim.agent,
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: big,
    });
    const { id } = (await up.body.json()) as { id: string };
    const cpu0 = sim.cpu();
    const t0 = performance.now();
    const v = await request(`${sim.url}/v1.0/users/${upn}/messages/${id}/$value`, {
      dispatcher: sim.agent,
      headers: sim.auth,
    });
    let n = 0;
    for await (const chunk of v.body) n += (chunk as Buffer).length;
    const secs = (performance.now() - t0) / 1000;
    const mb = n / 2 ** 20;
    console.log(
      `$value of an uploaded ${bigMb} MiB message: ${secs.toFixed(2)} s = ${(mb / secs).toFixed(0)} MiB/s wall-clock, ${(mb / Math.max(0.01, sim.cpu() - cpu0)).toFixed(0)} MiB per simulator CPU-second (byte-exact length: ${n === big.length})`,
    );
    console.log(`simulator RSS: ${sim.rssMb().toFixed(0)} MB`);
  } finally {
    await sim.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
