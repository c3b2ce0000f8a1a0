/**
 * Starts everything the end-to-end tests run against (Playwright's `webServer` runs this):
 *   npx tsx test/e2e/serve-portal.ts [port]
 * 1. Builds (`npm run build -w @coffer/portal`, which also builds the add-in) into portal/.next-e2e
 *    (see portal-build.ts) when there is no build, when a source file is newer than the last build, on CI,
 *    or with COFFER_E2E_REBUILD=1.
 * 2. Creates a fresh, migrated database `coffer_e2e_<random>` on the PostgreSQL server of DATABASE_URL
 *    (`.coffer/env` from `npm run stack`, or the environment), so the tests never depend on, or change,
 *    the developer's `coffer` database.
 * 3. Starts a Microsoft 365 simulator of its own (not the demo's) on a free port, seeds the small,
 *    deterministic e2e tenant (support/tenant.ts), and archives it with the real sync engine twice: once,
 *    then again after deleting one message and moving another, so the archive has history to browse.
 *    Seeds a delegate row and deprovisions the leaver, as permissions sync and directory sync would.
 * 4. Writes what it made to the fixture file (support/fixture.ts) and runs `next start -H 127.0.0.1 -p
 *    <port>` in portal/ against that database, simulator and archive, with its own settings folder (the
 *    developer's `.coffer/env` is not read), until SIGTERM/SIGINT; then cleans everything up.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { replaceDelegates } from "@coffer/db/access/delegates";
import { BlobStore, FsBlobBackend, toBlobKey } from "@coffer/db/blobs/index";
import { deprovisionMailbox, findMailboxByUpn } from "@coffer/db/mailboxes/mailboxes";
import { getDefaultPolicy, updatePolicyRules } from "@coffer/db/retention/retention-policies";
import { loadSettingsEnv } from "@coffer/db/settings";
import { createTestDatabase } from "@coffer/db/testing/test-database";
import { GraphAdapter } from "@coffer/worker/graph/graph-adapter";
import { syncTenant } from "@coffer/worker/sync/sync-tenant";
import { Redis } from "ioredis";
import { SimControl } from "../m365-sim/src/client";
import { startSimulator } from "../m365-sim/src/index";
import { isLoopbackUrl } from "../setup/loopback";
import { E2E_BUILD_ID, E2E_DIST_DIR, e2eNextEnv, PORTAL_DIR, REPO_ROOT } from "./portal-build";
import { fixturePath, type TE2EFixture } from "./support/fixture";
import { seedPim, syncPimOf } from "./support/pim-seed";
import { MARKERS, PASSWORD, PIXEL_PNG, seedTenant } from "./support/tenant";

const port = Number(process.argv[2] ?? 3100);
const log = (line: string) => console.log(`serve-portal: ${line}`);

// Everything the built portal is made from. Extra rebuilds are cheap compared with testing a stale build.
const SOURCES = [
  "portal",
  "addin",
  "db/src",
  "worker/src",
  "manifest.xml",
  "package-lock.json",
  "tsconfig.base.json",
];
// next-env.d.ts is rewritten by every build; public/addin/ and the .next folders are build output.
const SKIP = new Set(["node_modules", ".next", E2E_DIST_DIR, "public", "test-results", "next-env.d.ts"]);

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (SKIP.has(name) || name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

function needsBuild(): string | null {
  if (process.env.CI) return "CI always builds";
  if (process.env.COFFER_E2E_REBUILD === "1") return "COFFER_E2E_REBUILD=1";
  if (!existsSync(E2E_BUILD_ID)) return "no build yet";
  const built = statSync(E2E_BUILD_ID).mtimeMs;
  const changed = SOURCES.find((source) => newestMtime(path.join(REPO_ROOT, source)) > built);
  return changed ? `${changed} changed since the last build` : null;
}

/** A loopback HTTP server that records every request: remote content in test messages points at it. */
function startCanary(): Promise<{ server: Server; url: string }> {
  const hits: Array<{ method: string; url: string; at: string }> = [];
  const server = createServer((req, res) => {
    if (req.url === "/_hits") {
      res.writeHead(200, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" });
      res.end(JSON.stringify(hits));
      return;
    }
    if (req.url === "/_reset" && req.method === "POST") {
      hits.length = 0;
      res.writeHead(204).end();
      return;
    }
    hits.push({ method: req.method ?? "GET", url: req.url ?? "", at: new Date().toISOString() });
    res.writeHead(200, { "Content-Type": "image/png", "Cache-Control": "no-store" });
    res.end(PIXEL_PNG);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- 1. build ---------------------------------------------------------------------------------------
const reason = needsBuild();
if (reason) {
  log(`building the portal (${reason})`);
  const started = Date.now();
  const build = spawnSync("npm", ["run", "build", "-w", "@coffer/portal"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
    env: e2eNextEnv(),
  });
  if (build.status !== 0) {
    console.error("serve-portal: the portal build failed");
    process.exit(build.status ?? 1);
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} else {
  log("reusing the existing build (sources unchanged)");
}

// --- 2. services (refusing anything that is not on this machine) -------------------------------------
const settings = loadSettingsEnv();
const redisUrl = settings.REDIS_URL ?? "redis://127.0.0.1:56379";
for (const [name, url] of [
  ["DATABASE_URL", settings.DATABASE_URL ?? "postgres://127.0.0.1"],
  ["REDIS_URL", redisUrl],
] as const) {
  if (!isLoopbackUrl(url)) {
    console.error(`serve-portal: refusing to run: ${name} does not point at this machine`);
    process.exit(2);
  }
}
const database = await createTestDatabase("coffer_e2e");
log(`database ${database.name} (migrated)`);
const home = mkdtempSync(path.join(tmpdir(), "coffer-e2e-home-"));
const blobDir = path.join(home, "blobs");
const keyFile = path.join(home, "keys", "blob.key");
const keyBytes = randomBytes(32);
mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
writeFileSync(keyFile, `${keyBytes.toString("base64")}\n`, { mode: 0o600 });
const canary = await startCanary();
const sim = await startSimulator({ port: 0, tenant: { empty: true }, throttle: false });
const ctl = new SimControl(sim);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
const redisPrefix = `coffer-e2e:${randomBytes(5).toString("hex")}`;

let next: ReturnType<typeof spawn> | undefined;
let isCleanedUp = false;
async function cleanup(): Promise<void> {
  if (isCleanedUp) return;
  isCleanedUp = true;
  ctl.close();
  await sim.close().catch(() => {});
  canary.server.close();
  const keys = await redis.keys(`${redisPrefix}*`).catch(() => [] as string[]);
  if (keys.length) await redis.del(...keys).catch(() => 0);
  redis.disconnect();
  try {
    await database.drop();
  } catch (error) {
    console.error(`serve-portal: could not drop ${database.name}:`, error);
  }
  rmSync(home, { recursive: true, force: true });
  rmSync(fixturePath(port), { force: true });
}

try {
  // --- 3. tenant and archive --------------------------------------------------------------------------
  const seeded = await seedTenant(ctl, canary.url);
  log(`seeded the e2e tenant (${Object.keys(seeded.users).length} people) at ${sim.url}`);
  // The simulator assigns app roles (PATCH /_sim/users); if that ever stops working the admin tests must
  // fail, not be skipped quietly.
  if (!seeded.hasAdminRoles) throw new Error("the simulator did not assign the e2e admins their app roles");
  const graph = new GraphAdapter({
    authority: sim.authority,
    graphUrl: sim.graphUrl,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
    caPem: sim.caPem,
    redis,
    redisPrefix,
  });
  const blobs = new BlobStore({ backend: new FsBlobBackend(blobDir), keys: [toBlobKey(keyBytes)] });
  const deps = { db: database.db, blobs, graph, redis, redisPrefix };
  const sync = async (label: string) => {
    const started = Date.now();
    const result = await syncTenant(deps, { recentDays: 0, parallel: 3 });
    const failed = result.mailboxes.filter((m) => !m.stats);
    if (failed.length)
      throw new Error(`${label} sync failed: ${failed.map((m) => `${m.upn}: ${m.error}`).join("; ")}`);
    const added = result.mailboxes.reduce((n, m) => n + (m.stats?.added ?? 0), 0);
    const removed = result.mailboxes.reduce((n, m) => n + (m.stats?.removed ?? 0), 0);
    log(
      `${label} sync: ${result.mailboxes.length} mailboxes, added ${added}, removed ${removed}, ${Date.now() - started} ms`,
    );
  };
  // Calendar, contacts and tasks of bob's mailbox, archived by the PIM sync after each mail sync.
  const pimSeed = await seedPim(ctl, seeded.users.bob.upn);
  await sync("first");
  await syncPimOf(deps, seeded.users.bob.upn);

  // A whole second strictly after the first sync and strictly before the second one observes anything.
  const afterFirstSync = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
  await sleep(afterFirstSync.getTime() - Date.now() + 1100);
  const alice = seeded.users.alice.upn;
  await ctl.deleteMessage(alice, seeded.restIds.deleted!);
  await ctl.moveMessage(alice, seeded.restIds.moved!, "Inbox/Projects");
  await ctl.deleteEvent(seeded.users.bob.upn, pimSeed.deletedEventId);
  await sync("second");
  await syncPimOf(deps, seeded.users.bob.upn);
  await graph.close();

  const mailboxOf = async (upn: string) => {
    const row = await findMailboxByUpn(database.db, upn);
    if (!row) throw new Error(`the sync did not archive ${upn}`);
    return row.id;
  };
  const mailboxes = {
    alice: await mailboxOf(alice),
    bob: await mailboxOf(seeded.users.bob.upn),
    leo: await mailboxOf(seeded.users.leo.upn),
  };
  // As Mailbox Permissions Sync and the directory sync will: carol is alice's delegate; leo has left.
  await replaceDelegates(database.db, mailboxes.alice, "manual", [
    { entraId: seeded.users.carol.oid, upn: seeded.users.carol.upn, rights: "FullAccess" },
  ]);
  await deprovisionMailbox(database.db, mailboxes.leo, "e2e: account deleted");
  // One data type with sync turned off, so the snapshot view shows both of the seed's empty states.
  const policy = await getDefaultPolicy(database.db);
  await updatePolicyRules(
    database.db,
    policy.policy.id,
    [{ dataType: "notes", syncEnabled: false, retentionDays: 2555 }],
    "e2e",
  );

  const aliceState = await ctl.state(alice);
  const bobState = await ctl.state(seeded.users.bob.upn);
  const folderId = (state: typeof aliceState, p: string) => {
    const f = state.folders.find((x) => x.path === p);
    if (!f) throw new Error(`no folder ${p}`);
    return f.id;
  };
  const fixture: TE2EFixture = {
    portalUrl: `http://127.0.0.1:${port}`,
    databaseUrl: database.url,
    // For the admin console's specs: they start a worker process against the same services.
    services: { redisUrl, redisPrefix, blobDir, keyFile },
    sim: {
      url: sim.url,
      authority: sim.authority,
      tenantId: sim.tenantId,
      graphUrl: sim.graphUrl,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      caFile: sim.caFile,
    },
    password: PASSWORD,
    users: seeded.users,
    mailboxes,
    folders: {
      aliceInbox: folderId(aliceState, "Inbox"),
      aliceProjects: folderId(aliceState, "Inbox/Projects"),
      bobInbox: folderId(bobState, "Inbox"),
    },
    messages: seeded.messages as TE2EFixture["messages"],
    afterFirstSync: afterFirstSync.toISOString(),
    aliceInboxCount: aliceState.messages.filter((m) => m.folderPath === "Inbox").length,
    canaryUrl: canary.url,
    markers: MARKERS,
    hasAdminRoles: seeded.hasAdminRoles,
  };
  writeFileSync(fixturePath(port), JSON.stringify(fixture, null, 2));
  log(`fixture written to ${fixturePath(port)}`);

  // --- 4. the portal ---------------------------------------------------------------------------------
  next = spawn(
    path.join(REPO_ROOT, "node_modules/.bin/next"),
    ["start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: PORTAL_DIR,
      stdio: "inherit",
      env: e2eNextEnv({
        // Its own settings folder: nothing from the developer's .coffer/env leaks into the test portal.
        COFFER_HOME: home,
        DATABASE_URL: database.url,
        AUTH_SECRET: randomBytes(33).toString("base64"),
        M365_AUTHORITY: sim.authority,
        M365_PORTAL_CLIENT_ID: sim.portalClientId,
        M365_PORTAL_CLIENT_SECRET: sim.portalClientSecret,
        M365_CA_FILE: sim.caFile,
        COFFER_BLOB_DIR: blobDir,
        COFFER_ENCRYPTION_KEY_FILE: keyFile,
        COFFER_ADMIN_ROLES: "Coffer.Admin",
        COFFER_CONTENT_VIEW_ROLES: "Coffer.ContentView",
        COFFER_PROTECTED_CONTENT_ROLES: "Coffer.ProtectedContent",
        // The admin console reaches Redis (run now, live progress) and Graph (group lookup) as the worker does.
        REDIS_URL: redisUrl,
        COFFER_REDIS_PREFIX: redisPrefix,
        M365_TENANT_ID: sim.tenantId,
        M365_CLIENT_ID: sim.clientId,
        M365_CLIENT_SECRET: sim.clientSecret,
        M365_GRAPH_URL: sim.graphUrl,
      }),
    },
  );
} catch (error) {
  console.error("serve-portal: setting up the e2e environment failed:", error);
  await cleanup();
  process.exit(1);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (next && next.exitCode === null) next.kill(signal);
    else void cleanup().then(() => process.exit(0));
  });
}
next?.on("exit", async (code, signal) => {
  await cleanup();
  process.exit(code ?? (signal === "SIGTERM" || signal === "SIGINT" ? 0 : 1));
});
