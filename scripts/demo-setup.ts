/**
 * `npm run demo`, the part between the stack and the portal (scripts/demo.sh runs it):
 *   npx tsx scripts/demo-setup.ts settings      portal settings in .coffer/env (sign-in secret, archive key)
 *   npx tsx scripts/demo-setup.ts people        picks the demo sign-ins and makes the admin real (app roles)
 *   npx tsx scripts/demo-setup.ts delegate      records the assistant as a delegate of the CEO's mailbox
 * Each step is idempotent. The people are chosen by job title from the simulator's demo tenant.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Agent, fetch } from "undici";
import { replaceDelegates } from "../db/src/access/delegates";
import { ensureDevKey } from "../db/src/blobs/config";
import { createDb } from "../db/src/client";
import { findMailboxByUpn } from "../db/src/mailboxes/mailboxes";
import { loadSettingsEnv, settingsDir, updateSettingsEnv } from "../db/src/settings";

const PEOPLE_FILE = path.join(settingsDir(), "demo-people.json");
type TPeople = { user: string; delegate: string; admin: string; password: string };

async function settings(): Promise<void> {
  const env = loadSettingsEnv();
  const add: Record<string, string> = {};
  if (!env.AUTH_SECRET) add.AUTH_SECRET = randomBytes(33).toString("base64");
  if (!env.COFFER_ENCRYPTION_KEY && !env.COFFER_ENCRYPTION_KEY_FILE) {
    add.COFFER_ENCRYPTION_KEY_FILE = ensureDevKey(settingsDir()).path;
  }
  if (Object.keys(add).length) updateSettingsEnv(add);
  console.log(
    `Portal settings: ${Object.keys(add).length ? `added ${Object.keys(add).join(", ")}` : "in place"}.`,
  );
}

async function people(): Promise<void> {
  const env = loadSettingsEnv();
  const need = [
    "M365_AUTHORITY",
    "M365_GRAPH_URL",
    "M365_CLIENT_ID",
    "M365_CLIENT_SECRET",
    "M365_CA_FILE",
    "M365_SIM_URL",
  ];
  const missing = need.filter((k) => !env[k]);
  if (missing.length)
    throw new Error(`the simulator's settings are missing from .coffer/env: ${missing.join(", ")}`);
  const dispatcher = new Agent({ connect: { ca: readFileSync(env.M365_CA_FILE!, "utf8") } });
  try {
    const token = (await (
      await fetch(`${env.M365_AUTHORITY}/oauth2/v2.0/token`, {
        method: "POST",
        dispatcher,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          client_id: env.M365_CLIENT_ID!,
          client_secret: env.M365_CLIENT_SECRET!,
          scope: "https://graph.microsoft.com/.default",
        }).toString(),
      })
    ).json()) as { access_token: string };
    const users = (await (
      await fetch(
        `${env.M365_GRAPH_URL}/v1.0/users?$select=userPrincipalName,jobTitle,accountEnabled&$top=999`,
        {
          dispatcher,
          headers: { Authorization: `Bearer ${token.access_token}` },
        },
      )
    ).json()) as {
      value: Array<{ userPrincipalName: string; jobTitle: string | null; accountEnabled: boolean }>;
    };
    const byTitle = (title: string) =>
      users.value.find((u) => u.accountEnabled && u.jobTitle === title)?.userPrincipalName;
    const chosen = {
      user: byTitle("Chief Executive Officer"),
      delegate: byTitle("Executive Assistant"),
      admin: byTitle("IT Administrator"),
    };
    if (!chosen.user || !chosen.delegate || !chosen.admin) {
      throw new Error(
        "the simulator's tenant is not the demo tenant (no CEO, assistant and IT administrator)",
      );
    }
    // The admin is real the way it is in Entra: app roles on the portal's app registration, in the ID token.
    const roles = { appRoles: ["Coffer.Admin", "Coffer.ContentView", "Coffer.ProtectedContent"] };
    const r = await fetch(`${env.M365_SIM_URL}/_sim/users/${encodeURIComponent(chosen.admin)}`, {
      method: "PATCH",
      dispatcher,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(roles),
    });
    if (!r.ok) throw new Error(`the simulator refused the admin's app roles (${r.status})`);
    const out: TPeople = {
      user: chosen.user,
      delegate: chosen.delegate,
      admin: chosen.admin,
      password: "Coffer-Demo-1",
    };
    writeFileSync(PEOPLE_FILE, JSON.stringify(out, null, 2));
    console.log(
      `Demo sign-ins chosen: ${out.user} (user), ${out.delegate} (delegate), ${out.admin} (admin).`,
    );
  } finally {
    await dispatcher.close();
  }
}

async function delegate(): Promise<void> {
  const p = JSON.parse(readFileSync(PEOPLE_FILE, "utf8")) as TPeople;
  const db = createDb(loadSettingsEnv().DATABASE_URL, 1);
  try {
    const owner = await findMailboxByUpn(db, p.user);
    const assistant = await findMailboxByUpn(db, p.delegate);
    if (!owner || !assistant) throw new Error(`sync ${p.user} and ${p.delegate} first`);
    // Until Mailbox Permissions Sync runs, the delegation is recorded by hand (the demo tenant gives the
    // assistant Full Access to the CEO's mailbox in Exchange).
    await replaceDelegates(db, owner.id, "manual", [
      { entraId: assistant.entra_id, upn: assistant.upn, rights: "FullAccess" },
    ]);
    console.log(`${p.delegate} is a delegate of ${p.user}'s mailbox.`);
  } finally {
    await db.destroy();
  }
}

const step = process.argv[2];
const steps: Record<string, () => Promise<void>> = { settings, people, delegate };
const run = step ? steps[step] : undefined;
if (!run) {
  console.error(`Usage: tsx scripts/demo-setup.ts ${Object.keys(steps).join("|")}`);
  process.exit(2);
}
try {
  await run();
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
