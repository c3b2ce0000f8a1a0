import path from "node:path";
import { parseArgs } from "node:util";
import { settingsDir, updateSettingsEnv } from "@coffer/db/settings";
import { startSimulator } from "./index";

/**
 * `npm run sim` / `npm run stack`: the simulator as a process. Loads (or creates) the demo tenant
 * from the state file, publishes its settings into `.coffer/env`, prints its URL and saves state on
 * SIGTERM/SIGINT.
 */

const HELP = `Usage: tsx test/m365-sim/src/main.ts [options]

  --port <n>               listen port (default 0 = any free port)
  --host <addr>            listen address (default 127.0.0.1)
  --state <file>           tenant state file (default <settings>/sim/state.json)
  --seed <n>               demo tenant seed when no state exists (default 1)
  --users <n>              demo users (default 25)
  --messages-per-user <n>  demo messages per mailbox (default 500)
  --empty                  start with an empty tenant when no state exists
  --no-throttle            switch the Outlook throttling model off
  --composed-cache-mb <n>  composed MIME of generated messages kept in memory (default 256)
  --no-env                 do not write M365_* settings into .coffer/env
  -h, --help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      state: { type: "string" },
      seed: { type: "string" },
      users: { type: "string" },
      "messages-per-user": { type: "string" },
      empty: { type: "boolean" },
      "no-throttle": { type: "boolean" },
      "composed-cache-mb": { type: "string" },
      "no-env": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const num = (v: string | undefined, d: number, name: string): number => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
    return n;
  };
  const settings = settingsDir();
  const stateFile = path.resolve(values.state ?? path.join(settings, "sim", "state.json"));
  const started = Date.now();
  const sim = await startSimulator({
    port: num(values.port, 0, "port"),
    host: values.host ?? "127.0.0.1",
    stateFile,
    settingsDir: settings,
    tenant: values.empty
      ? { empty: true }
      : {
          seed: num(values.seed, 1, "seed"),
          users: num(values.users, 25, "users"),
          messagesPerUser: num(values["messages-per-user"], 500, "messages-per-user"),
        },
    throttle: !values["no-throttle"],
    composedCacheMb: num(values["composed-cache-mb"], 256, "composed-cache-mb"),
  });
  if (!values["no-env"]) {
    updateSettingsEnv({
      M365_SIM_URL: sim.url,
      M365_GRAPH_URL: sim.graphUrl,
      M365_AUTHORITY: sim.authority,
      M365_TENANT_ID: sim.tenantId,
      M365_CLIENT_ID: sim.clientId,
      M365_CLIENT_SECRET: sim.clientSecret,
      M365_PORTAL_CLIENT_ID: sim.portalClientId,
      M365_PORTAL_CLIENT_SECRET: sim.portalClientSecret,
      M365_EXCHANGE_URL: sim.exchangeUrl,
      M365_CA_FILE: sim.caFile,
    });
  }
  const t = sim.simulator.tenant;
  console.log(
    `Microsoft 365 simulator listening on ${sim.url} (tenant ${sim.tenantId}, ${t.users.size} users, state ${stateFile}, ready in ${Date.now() - started} ms)`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`m365-sim: ${signal}, saving state and stopping`);
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(`m365-sim: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
