import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * What serve-portal.ts set up (simulator, tenant, archive, portal) and the specs need to know about it.
 * serve-portal writes it before the portal answers; specs read it with `readFixture()`.
 */
export const ROLES = ["alice", "bob", "carol", "dave", "erin"] as const;
export type TRole = (typeof ROLES)[number];

/**
 * - alice: a user (user A); bob: another user (user B);
 * - carol: delegate of alice's mailbox (a `manual` row in the delegates table);
 * - dave: administrator without the content view and Protected Content grants;
 * - erin: administrator with both grants.
 */
export const ROLE_LABELS: Record<TRole, string> = {
  alice: "user A",
  bob: "user B",
  carol: "delegate of user A",
  dave: "admin without content view / Protected Content",
  erin: "admin with content view and Protected Content",
};

export type TFixtureMessage = { graphId: string; subject: string; sha256: string; size: number };

export type TE2EFixture = {
  portalUrl: string;
  /** The portal's database (tests read the audit log from it). */
  databaseUrl: string;
  /** Redis and the archive's storage, for specs that start a worker process (admin console). */
  services?: { redisUrl: string; redisPrefix: string; blobDir: string; keyFile: string };
  sim: {
    url: string;
    authority: string;
    tenantId: string;
    graphUrl: string;
    clientId: string;
    clientSecret: string;
    caFile: string;
  };
  password: string;
  users: Record<TRole | "leo", { upn: string; oid: string; displayName: string }>;
  /** Mailbox row ids in the portal's database. */
  mailboxes: { alice: string; bob: string; leo: string };
  folders: { aliceInbox: string; aliceProjects: string; bobInbox: string };
  messages: {
    quarterly: TFixtureMessage;
    invoice: TFixtureMessage;
    newsletter: TFixtureMessage;
    hostile: TFixtureMessage;
    deleted: TFixtureMessage;
    moved: TFixtureMessage;
    bobSecret: TFixtureMessage;
  };
  /** A whole second after the first sync and before the deletion and move were synced. */
  afterFirstSync: string;
  /** Messages in alice's Inbox now (after the deletion and the move). */
  aliceInboxCount: number;
  /** A loopback HTTP server that records every request (remote content of test messages points at it). */
  canaryUrl: string;
  markers: { aliceBody: string; bobBody: string; bobSubject: string; bobAttachment: string };
  /** False while the simulator cannot give users app roles (admin tests are skipped then). */
  hasAdminRoles: boolean;
};

export function fixturePath(port: number): string {
  return path.join(tmpdir(), `coffer-e2e-fixture-${port}.json`);
}

export const E2E_PORT = Number(process.env.COFFER_E2E_PORT ?? 3100);

let cached: TE2EFixture | undefined;

export function readFixture(): TE2EFixture {
  cached ??= JSON.parse(readFileSync(fixturePath(E2E_PORT), "utf8")) as TE2EFixture;
  return cached;
}

/** Where the setup project keeps each role's signed-in browser state. */
export function authStatePath(role: TRole): string {
  return path.resolve(import.meta.dirname, "../../../test-results/e2e-auth", `${role}.json`);
}
