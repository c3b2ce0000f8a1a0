import { parseArgs } from "node:util";
import { request } from "undici";
import { type BenchSim, measure, startBenchSim } from "./sim-process";

/**
 * Simulator CPU per request of the kinds an archive run sends, against the simulator as its own
 * process (throttling off) over HTTPS keep-alive:
 *   a small Graph GET; message delta pages with the worker's `$select` and page size; `$value` of
 *   generated messages cold (composed on the request) and again (kept composed bytes); and on a second
 *   mailbox what `npm run bench -- sync` does: the state call (composes every message), then delta
 *   and `$value` of each message.
 * Prints figures; asserts nothing.
 *
 *   npx tsx test/m365-sim/bench/requests.ts [--messages 2000] [--parallel 4] [--small 4000]
 */

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "2000" },
    parallel: { type: "string", default: "4" },
    small: { type: "string", default: "4000" },
  },
});
const messages = Number(args.messages);
const parallel = Number(args.parallel);
const smallCount = Number(args.small);
// The worker's delta request (worker/src/graph/graph-adapter.ts)
const SELECT = "id,changeKey,parentFolderId,receivedDateTime,isRead,isDraft,categories,internetMessageId";
const PREFER = 'IdType="ImmutableId", odata.maxpagesize=200';

function line(what: string, m: { wall: number; cpu: number }, n: number, unit: string): void {
  console.log(
    `  ${what.padEnd(40)} ${String(n).padStart(6)} ${unit.padEnd(8)} simulator CPU ${((m.cpu / n) * 1e3).toFixed(3)} ms per ${unit} (${m.cpu.toFixed(2)} s; wall ${m.wall.toFixed(2)} s)`,
  );
}

async function pool(count: number, fn: (i: number) => Promise<void>): Promise<void> {
  let at = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (at < count) await fn(at++);
    }),
  );
}

async function deltaAll(sim: BenchSim, upn: string): Promise<{ ids: string[]; pages: number }> {
  const headers = { ...sim.auth, prefer: PREFER };
  const folders = JSON.parse(
    (await sim.get(`/v1.0/users/${upn}/mailFolders/delta?$select=id`, headers)).body.toString(),
  ) as { value: Array<{ id: string }> };
  const ids: string[] = [];
  let pages = 0;
  for (const f of folders.value) {
    let next: string | undefined = `/v1.0/users/${upn}/mailFolders/${f.id}/messages/delta?$select=${SELECT}`;
    while (next) {
      const r = await sim.get(next, headers);
      if (r.status !== 200) throw new Error(`delta: ${r.status} ${r.body.toString().slice(0, 200)}`);
      pages++;
      const page = JSON.parse(r.body.toString()) as {
        value: Array<{ id: string }>;
        "@odata.nextLink"?: string;
      };
      for (const m of page.value) ids.push(m.id);
      next = page["@odata.nextLink"]?.replace(sim.url, "");
    }
  }
  return { ids, pages };
}

async function values(sim: BenchSim, upn: string, ids: string[]): Promise<number> {
  let bytes = 0;
  await pool(ids.length, async (i) => {
    const r = await request(
      `${sim.url}/v1.0/users/${upn}/messages/${encodeURIComponent(ids[i] as string)}/$value`,
      { dispatcher: sim.agent, headers: { ...sim.auth, prefer: 'IdType="ImmutableId"' } },
    );
    for await (const chunk of r.body) bytes += (chunk as Buffer).length;
    if (r.statusCode !== 200) throw new Error(`$value: ${r.statusCode}`);
  });
  return bytes;
}

async function main(): Promise<void> {
  const sim = await startBenchSim({ connections: Math.max(4, parallel) });
  try {
    const load = (await import("node:os")).loadavg().map((l) => l.toFixed(1));
    console.log(`simulator pid ${sim.pid}; load average ${load.join(" ")}; ${parallel} parallel`);
    const a = "bench.a@contoso.example";
    await sim.json("POST", "/_sim/users", { userPrincipalName: a, displayName: "A" });
    await sim.json("POST", `/_sim/users/${a}/large-mailbox`, { seed: 1, messages });

    const smallPath = `/v1.0/users/${a}/mailFolders/inbox?$select=id,displayName,totalItemCount`;
    await pool(200, async () => void (await sim.get(smallPath, sim.auth))); // warm-up
    const small = await measure(sim, () =>
      pool(smallCount, async () => void (await sim.get(smallPath, sim.auth))),
    );
    line("small GET (mailFolders/inbox)", small, smallCount, "request");

    await deltaAll(sim, a); // warm-up (JIT)
    const delta = await measure(sim, () => deltaAll(sim, a));
    line("message delta, worker $select, 200/page", delta, delta.result.pages, "page");
    line("", delta, delta.result.ids.length, "item");

    const ids = delta.result.ids;
    const cold = await measure(sim, () => values(sim, a, ids));
    line("$value, composed on request", cold, ids.length, "message");
    console.log(
      `  ${"".padEnd(40)} ${(cold.result / ids.length / 1024).toFixed(1)} KiB per message on average`,
    );
    const again = await measure(sim, () => values(sim, a, ids));
    line("$value again", again, ids.length, "message");

    // What `npm run bench -- sync` does: the state call (mailbox size), then delta and one $value each
    const b = "bench.b@contoso.example";
    await sim.json("POST", "/_sim/users", { userPrincipalName: b, displayName: "B" });
    await sim.json("POST", `/_sim/users/${b}/large-mailbox`, { seed: 2, messages });
    const state = await measure(sim, () =>
      sim.json<{ messages: unknown[] }>("GET", `/_sim/users/${b}/state`),
    );
    line("state call (composes each message)", state, state.result.messages.length, "message");
    const deltaB = await measure(sim, () => deltaAll(sim, b));
    line("message delta after the state call", deltaB, deltaB.result.pages, "page");
    line("", deltaB, deltaB.result.ids.length, "item");
    const afterState = await measure(sim, () => values(sim, b, deltaB.result.ids));
    line("$value after the state call", afterState, deltaB.result.ids.length, "message");
    console.log(`  simulator RSS ${sim.rssMb().toFixed(0)} MB`);
  } finally {
    await sim.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
