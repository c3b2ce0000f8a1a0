import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { request } from "undici";
import { type BenchSim, measure, startBenchSim } from "./sim-process";

/**
 * What a generated benchmark mailbox costs the simulator, per step of an archive run:
 *   attach (`POST /_sim/users/{upn}/large-mailbox`), message delta over every folder with the worker's
 *   `$select`, `$value` of a sample of messages, `GET /_sim/users/{upn}/state` (first and second call),
 *   and the huge message's `$value`.
 * Each line gives wall-clock seconds and the simulator process's CPU seconds (the figure that does not
 * depend on the neighbours' load). Prints figures; asserts nothing.
 *
 *   npx tsx test/m365-sim/bench/generated-mailbox.ts [--messages 10000,100000] [--values 2000]
 *       [--parallel 4] [--huge-mb 100] [--cold-state] [--skip-state]
 * --cold-state also calls state on a second mailbox of the same size before any `$value` (every
 * message composed for its sha256 in that one call).
 */

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "10000,100000" },
    values: { type: "string", default: "2000" },
    parallel: { type: "string", default: "4" },
    "huge-mb": { type: "string", default: "100" },
    "cold-state": { type: "boolean", default: false },
    "skip-state": { type: "boolean", default: false },
  },
});
const sizes = (args.messages ?? "").split(",").map(Number);
const valueSample = Number(args.values);
const parallel = Number(args.parallel);
const hugeBytes = Number(args["huge-mb"]) * 1024 * 1024;
// The worker's delta request (worker/src/graph/graph-adapter.ts)
const SELECT = "id,changeKey,parentFolderId,receivedDateTime,isRead,isDraft,categories,internetMessageId";
const PREFER = 'IdType="ImmutableId", odata.maxpagesize=200';

const fmt = (s: number) => s.toFixed(s < 10 ? 2 : 1);
function line(what: string, m: { wall: number; cpu: number }, per?: { n: number; unit: string }): void {
  const extra = per
    ? ` → ${(per.n / m.wall).toFixed(0)} ${per.unit}/s wall, ${((m.cpu / per.n) * 1e3).toFixed(3)} ms CPU per ${per.unit} (${(per.n / Math.max(0.01, m.cpu)).toFixed(0)} ${per.unit} per CPU-second)`
    : "";
  console.log(
    `  ${what.padEnd(34)} wall ${fmt(m.wall).padStart(6)} s   simulator CPU ${fmt(m.cpu).padStart(6)} s${extra}`,
  );
}

async function deltaAll(sim: BenchSim, upn: string): Promise<string[]> {
  const headers = { ...sim.auth, prefer: PREFER };
  const folders = JSON.parse(
    (await sim.get(`/v1.0/users/${upn}/mailFolders/delta?$select=id`, headers)).body.toString(),
  ) as {
    value: Array<{ id: string }>;
  };
  const ids: string[] = [];
  for (const f of folders.value) {
    let next: string | undefined = `/v1.0/users/${upn}/mailFolders/${f.id}/messages/delta?$select=${SELECT}`;
    while (next) {
      const r = await sim.get(next, headers);
      if (r.status !== 200) throw new Error(`delta: ${r.status} ${r.body.toString().slice(0, 200)}`);
      const page = JSON.parse(r.body.toString()) as {
        value: Array<{ id: string; internetMessageId?: string }>;
        "@odata.nextLink"?: string;
      };
      for (const m of page.value) ids.push(m.id);
      next = page["@odata.nextLink"]?.replace(sim.url, "");
    }
  }
  return ids;
}

async function fetchValues(
  sim: BenchSim,
  upn: string,
  ids: string[],
): Promise<{ bytes: number; digests: Map<string, string> }> {
  let at = 0;
  let bytes = 0;
  const digests = new Map<string, string>();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (at < ids.length) {
        const id = ids[at++] as string;
        const r = await request(`${sim.url}/v1.0/users/${upn}/messages/${encodeURIComponent(id)}/$value`, {
          dispatcher: sim.agent,
          headers: { ...sim.auth, prefer: 'IdType="ImmutableId"' },
        });
        const hash = createHash("sha256");
        for await (const chunk of r.body) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        if (r.statusCode !== 200) throw new Error(`$value: ${r.statusCode}`);
        digests.set(id, hash.digest("hex"));
      }
    }),
  );
  return { bytes, digests };
}

async function run(sim: BenchSim, count: number): Promise<void> {
  const upn = `bench.${count}@contoso.example`;
  await sim.json("POST", "/_sim/users", { userPrincipalName: upn, displayName: `Bench ${count}` });
  console.log(`\n${count.toLocaleString("en")} generated messages + one ${hugeBytes / 2 ** 20} MiB message:`);
  const attach = await measure(sim, () =>
    sim.json<{ hugeMessageImmutableId: string; hugeMessageId: string }>(
      "POST",
      `/_sim/users/${upn}/large-mailbox`,
      {
        seed: 1,
        messages: count,
        hugeMessageBytes: hugeBytes,
      },
    ),
  );
  line("attach (incl. huge message sha256)", attach);

  const delta = await measure(sim, () => deltaAll(sim, upn));
  line(`message delta, $select of the worker`, delta, { n: delta.result.length, unit: "message" });

  // Small messages: every id but the huge one; an evenly spread sample
  const hugeId = attach.result.hugeMessageImmutableId;
  const small = delta.result.filter((id) => id !== hugeId);
  const step = Math.max(1, Math.floor(small.length / valueSample));
  const sample = small.filter((_, k) => k % step === 0).slice(0, valueSample);
  const values = await measure(sim, () => fetchValues(sim, upn, sample));
  line(`$value × ${sample.length} (${parallel} parallel)`, values, { n: sample.length, unit: "message" });
  console.log(
    `  ${"".padEnd(34)} ${(values.result.bytes / sample.length / 1024).toFixed(1)} KiB per message on average`,
  );

  if (args["skip-state"]) return;
  const state1 = await measure(sim, () =>
    sim.json<{ messages: Array<{ immutableId: string; sha256: string; size: number }> }>(
      "GET",
      `/_sim/users/${upn}/state`,
    ),
  );
  line("state, first call", state1, { n: state1.result.messages.length, unit: "message" });
  const state2 = await measure(sim, () =>
    sim.json<{ messages: unknown[] }>("GET", `/_sim/users/${upn}/state`),
  );
  line("state, second call", state2, { n: state2.result.messages.length, unit: "message" });
  const recorded = new Map(state1.result.messages.map((m) => [m.immutableId, m.sha256]));
  const mismatches = [...values.result.digests].filter(([id, sha]) => recorded.get(id) !== sha).length;
  console.log(
    `  ${"".padEnd(34)} $value sha256 = state sha256 for ${values.result.digests.size - mismatches} of ${values.result.digests.size}`,
  );

  const huge = await measure(sim, () => fetchValues(sim, upn, [hugeId]));
  line("$value of the huge message", huge);
  console.log(
    `  ${"".padEnd(34)} ${(huge.result.bytes / 2 ** 20 / huge.wall).toFixed(0)} MiB/s wall, ${(huge.result.bytes / 2 ** 20 / Math.max(0.01, huge.cpu)).toFixed(0)} MiB per CPU-second; sha256 matches state: ${recorded.get(hugeId) === huge.result.digests.get(hugeId)}`,
  );

  if (args["cold-state"]) {
    const cold = `bench.cold.${count}@contoso.example`;
    await sim.json("POST", "/_sim/users", { userPrincipalName: cold, displayName: `Cold ${count}` });
    await sim.json("POST", `/_sim/users/${cold}/large-mailbox`, { seed: 2, messages: count });
    const state = await measure(sim, () =>
      sim.json<{ messages: unknown[] }>("GET", `/_sim/users/${cold}/state`),
    );
    line("state before any $value (cold)", state, { n: state.result.messages.length, unit: "message" });
  }
  console.log(`  simulator RSS ${sim.rssMb().toFixed(0)} MB`);
}

async function main(): Promise<void> {
  const sim = await startBenchSim({ connections: Math.max(4, parallel) });
  try {
    console.log(
      `simulator pid ${sim.pid}; load average ${(await import("node:os"))
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    for (const count of sizes) await run(sim, count);
  } finally {
    await sim.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
