import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createScratchDatabase } from "@coffer/test/setup/databases";
import { testDatabaseUrl, testRedisUrl } from "@coffer/test/setup/integration";
import { isolatedEnv } from "@coffer/test/setup/processes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMicrosoft365, checkPostgres, checkRedis, runDoctor } from "./doctor";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(repoRoot, "worker/bin/coffer.js");

/** A loopback port nothing listens on (it was free a moment ago; nothing of ours binds it). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

let home: string;
let env: Record<string, string>;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), "coffer-doctor-"));
  env = {
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    COFFER_ENCRYPTION_KEY: Buffer.alloc(32, 0x11).toString("base64"),
    COFFER_BLOB_DIR: path.join(home, "blobs"),
  };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Runs the real `coffer` binary with only the given settings (an empty settings folder, no .coffer/env). */
function coffer(args: string[], settings: Record<string, string>) {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: isolatedEnv({ COFFER_HOME: home, ...settings }),
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("coffer doctor against the stack's services", () => {
  it("passes PostgreSQL (migrated), Redis and storage, and warns that Microsoft 365 is not configured", async () => {
    const checks = await runDoctor(env);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["PostgreSQL", "ok"],
      ["Redis", "ok"],
      ["Microsoft 365", "warn"],
      ["Storage", "ok"],
    ]);
    expect(checks[0]?.message).toMatch(
      /^PostgreSQL \d+\.\d+ at 127\.0\.0\.1:\d+\/coffer_it_\w+ answers; all \d+ migrations are applied\.$/,
    );
    expect(checks[2]?.message).toContain("M365_AUTHORITY is not set");
  });

  it("says in one sentence that Redis is not answering when its port is closed", async () => {
    const port = await closedPort();
    const check = await checkRedis({ ...env, REDIS_URL: `redis://127.0.0.1:${port}` }, 3000);
    expect(check).toEqual({
      name: "Redis",
      status: "fail",
      message: `Redis at redis://127.0.0.1:${port} is not answering (connection refused). Start it with \`npm run stack\`.`,
    });
  });

  it("exits 1 from the command line with that sentence and no stack trace", async () => {
    const port = await closedPort();
    const r = coffer(["doctor"], { ...env, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      `Redis at redis://127.0.0.1:${port} is not answering (connection refused). Start it with \`npm run stack\`.`,
    );
    expect(r.stdout).toMatch(/^OK {4}PostgreSQL/m);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at \S+ \(|Error:/);

    const json = coffer(["doctor", "--json"], { ...env, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.checks.find((c) => c.name === "Redis")?.status).toBe("fail");
  });

  it("fails PostgreSQL when the database's migrations are not applied, naming them", async () => {
    const scratch = await createScratchDatabase();
    try {
      const check = await checkPostgres({ ...env, DATABASE_URL: scratch.url }, 3000);
      expect(check.status).toBe("fail");
      expect(check.message).toMatch(
        /migrations? (is|are) not applied \(2026_11_21_0001_core_schema.*\)\. Run `npm run db:migrate`\.$/,
      );
    } finally {
      await scratch.drop();
    }
  });

  it("says PostgreSQL is not answering when nothing listens, and names a missing database", async () => {
    const port = await closedPort();
    const down = await checkPostgres(
      { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/coffer` },
      3000,
    );
    expect(down.message).toBe(
      `PostgreSQL at 127.0.0.1:${port}/coffer is not answering (connection refused). Start it with \`npm run stack\`.`,
    );
    const url = new URL(testDatabaseUrl());
    url.pathname = "/coffer_it_no_such_database";
    const missing = await checkPostgres({ ...env, DATABASE_URL: url.toString() }, 3000);
    expect(missing.status).toBe("fail");
    expect(missing.message).toContain('has no database "coffer_it_no_such_database"');
  });

  it("says Entra ID is not answering when the authority's port is closed", async () => {
    const port = await closedPort();
    const check = await checkMicrosoft365(
      { ...env, M365_AUTHORITY: `https://127.0.0.1:${port}/tenant` },
      3000,
    );
    expect(check).toEqual({
      name: "Microsoft 365",
      status: "fail",
      message: `Entra ID at https://127.0.0.1:${port}/tenant is not answering (connection refused). Start it with \`npm run stack\`.`,
    });
  });
});

/** The parts of the simulator's handle this test uses (test/m365-sim's startSimulator). */
type Sim = {
  authority: string;
  clientId: string;
  clientSecret: string;
  caFile: string;
  close(): Promise<void>;
};

const simIndex = path.join(repoRoot, "test/m365-sim/src/index.ts");

describe.skipIf(!existsSync(simIndex))("coffer doctor against the Microsoft 365 simulator", () => {
  let sim: Sim;
  beforeAll(async () => {
    const { startSimulator } = (await import(simIndex)) as {
      startSimulator(o: { settingsDir: string; tenant: { empty: true } }): Promise<Sim>;
    };
    sim = await startSimulator({ settingsDir: home, tenant: { empty: true } });
  });
  afterAll(async () => sim?.close());

  const m365 = () => ({
    M365_AUTHORITY: sim.authority,
    M365_TENANT_ID: sim.authority.split("/").at(-1) ?? "",
    M365_CLIENT_ID: sim.clientId,
    M365_CLIENT_SECRET: sim.clientSecret,
    M365_CA_FILE: sim.caFile,
  });

  it("reads Entra's OpenID configuration and gets an app token", async () => {
    const check = await checkMicrosoft365({ ...env, ...m365() }, 5000);
    expect(check.status).toBe("ok");
    expect(check.message).toContain(`answers and issued an app token to client ${sim.clientId}`);
  });

  it("says Entra refused the token when the secret is wrong", async () => {
    const check = await checkMicrosoft365({ ...env, ...m365(), M365_CLIENT_SECRET: "not-the-secret" }, 5000);
    expect(check.status).toBe("fail");
    expect(check.message).toMatch(
      new RegExp(
        `^Entra ID at .+ refused an app token for client ${sim.clientId}: .+\\. Check M365_CLIENT_ID and M365_CLIENT_SECRET\\.$`,
      ),
    );
  });

  it("says the certificate is not trusted when M365_CA_FILE is missing", async () => {
    const { M365_CA_FILE: _ca, ...withoutCa } = m365();
    const check = await checkMicrosoft365({ ...env, ...withoutCa }, 5000);
    expect(check.status).toBe("fail");
    expect(check.message).toContain("presents a certificate this machine does not trust");
    expect(check.message).toContain("Set M365_CA_FILE");
  });
});
