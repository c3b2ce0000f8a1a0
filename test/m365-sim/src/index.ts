import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { settingsDir as defaultSettingsDir } from "@coffer/db/settings";
import { ensureCa, ensureLeaf, ensureSigningKey } from "./ca";
import { registerControl } from "./control";
import { registerEntra } from "./entra/routes";
import { registerExchange } from "./exchange";
import { registerGraph } from "./graph/register";
import { BlobStore } from "./model/blobs";
import { ComposedCache, DEFAULT_COMPOSED_CACHE_BYTES } from "./model/composed-cache";
import { newApps, Tenant, type TenantSnapshot } from "./model/tenant";
import { Simulator } from "./sim";
import { loadGenerator, type TenantParams } from "./tenant-source";

/**
 * In-process Microsoft 365 simulator: Entra ID + Microsoft Graph (+ the Exchange admin API) over
 * HTTPS on loopback, with a control API under `/_sim/`. See README.md.
 */

export interface SimulatorOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Loaded at start when it exists; saved on change (debounced) and on close. */
  stateFile?: string;
  /** Where the CA, certificates and token key live (`<settingsDir>/sim/`). Default: the repo's `.coffer/`. */
  settingsDir?: string;
  /** The tenant to create when there is no state file. Default: empty. */
  tenant?: TenantParams | { empty: true };
  /** Outlook throttling (10,000 requests/10 min, 4 concurrent, 150 MB/5 min per mailbox). Default true. */
  throttle?: boolean;
  /** "stand-in" forces the simulator's tiny built-in tenant generator (fast, for unit-style tests). */
  generator?: "auto" | "stand-in";
  /** Upper bound of composed generated MIME kept in memory (`$value` without composing again). Default 256 MB. */
  composedCacheMb?: number;
}

export interface SimulatorHandle {
  /** `https://127.0.0.1:<port>`: base of the control API. */
  url: string;
  /** Graph base without the version segment (same origin). */
  graphUrl: string;
  /** `${url}/${tenantId}` */
  authority: string;
  tenantId: string;
  /** The worker's app registration (application permissions). */
  clientId: string;
  clientSecret: string;
  /** The portal's app registration (delegated; any loopback redirect URI is accepted). */
  portalClientId: string;
  portalClientSecret: string;
  /** Base for `/adminapi/beta/{tenant}/InvokeCommand` (same origin). */
  exchangeUrl: string;
  caFile: string;
  caPem: string;
  /** The state file in use, if any. */
  stateFile?: string;
  /** The live simulator, for in-process inspection in tests. */
  simulator: Simulator;
  /** Saves state (when a state file is used) and stops the server. */
  close(): Promise<void>;
}

function blobDirFor(stateFile: string): string {
  return path.join(path.dirname(path.resolve(stateFile)), `${path.basename(stateFile, ".json")}.blobs`);
}

function loadSnapshot(file: string): TenantSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const snap = JSON.parse(readFileSync(file, "utf8")) as TenantSnapshot;
  if (snap.format !== "coffer-m365-sim" || snap.version !== 1)
    throw new Error(
      `${file} is not a simulator state file (format ${String(snap.format)} v${String(snap.version)})`,
    );
  return snap;
}

function saveSnapshot(file: string, tenant: Tenant): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(tenant.snapshot()));
  renameSync(tmp, file);
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const settings = opts.settingsDir ?? defaultSettingsDir();
  const ca = ensureCa(settings);
  const leaf = ensureLeaf(settings, ca);
  const signing = ensureSigningKey(settings);
  const host = opts.host ?? "127.0.0.1";

  const stateFile = opts.stateFile ? path.resolve(opts.stateFile) : undefined;
  const blobs = new BlobStore(stateFile ? blobDirFor(stateFile) : undefined);
  const snap = stateFile ? loadSnapshot(stateFile) : undefined;
  const composed = new ComposedCache(
    opts.composedCacheMb === undefined ? DEFAULT_COMPOSED_CACHE_BYTES : opts.composedCacheMb * 1024 * 1024,
  );
  let tenant: Tenant;
  if (snap) {
    tenant = new Tenant(snap.tenantId, snap.apps, blobs, composed);
    tenant.restore(snap);
    if (snap.generator)
      tenant.attachGenerator(await loadGenerator({ standIn: snap.generator.kind === "stand-in" }));
    else if (snap.mailboxes.some((m) => m.large))
      tenant.attachGenerator(await loadGenerator({ standIn: opts.generator === "stand-in" }));
    for (const mbx of tenant.mailboxes.values()) await tenant.primeLarge(mbx);
  } else {
    tenant = new Tenant(randomUUID(), newApps(), blobs, composed);
    const t = opts.tenant;
    if (t && !("empty" in t))
      tenant.populate(await loadGenerator({ standIn: opts.generator === "stand-in" }), t);
  }

  const sim = new Simulator(tenant, signing, opts.throttle ?? true);
  registerEntra(sim);
  registerGraph(sim);
  registerControl(sim);
  registerExchange(sim);

  // Debounced persistence: at most one write per second, and never more than 5 s behind.
  let timer: NodeJS.Timeout | undefined;
  let firstDirty = 0;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    firstDirty = 0;
    if (stateFile) saveSnapshot(stateFile, sim.tenant);
  };
  if (stateFile) {
    tenant.onChange = () => {
      const now = Date.now();
      if (!firstDirty) firstDirty = now;
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, now - firstDirty > 5000 ? 0 : 1000);
      timer.unref();
    };
    if (!snap) flush();
  }

  const server: Server = createServer(
    { key: leaf.keyPem, cert: leaf.certPem, keepAlive: true },
    (req, res) => {
      void sim.handleHttp(req, res);
    },
  );
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  sim.url = `https://${urlHost}:${port}`;

  let closed = false;
  const handle: SimulatorHandle = {
    url: sim.url,
    graphUrl: sim.url,
    authority: `${sim.url}/${tenant.tenantId}`,
    tenantId: tenant.tenantId,
    clientId: tenant.apps.worker.clientId,
    clientSecret: tenant.apps.worker.clientSecret,
    portalClientId: tenant.apps.portal.clientId,
    portalClientSecret: tenant.apps.portal.clientSecret,
    exchangeUrl: sim.url,
    caFile: ca.caFile,
    caPem: ca.caPem,
    simulator: sim,
    async close() {
      if (closed) return;
      closed = true;
      if (stateFile) flush();
      composed.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  if (stateFile) handle.stateFile = stateFile;
  return handle;
}

export type { Simulator } from "./sim";
export type { TenantParams } from "./tenant-source";
