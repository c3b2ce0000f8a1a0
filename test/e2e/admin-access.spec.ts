import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { closeE2eDb, configCounts, seedTaskIds } from "./admin-helpers";
import { E2E_DIST_DIR, PORTAL_DIR } from "./portal-build";
import { readFixture, type TRole } from "./support/fixture";
import { apiAs } from "./support/roles";

/**
 * The admin console is for administrators only: every page and JSON route under /admin (except the Users
 * page, which authorization.spec.ts covers) answers 404 to users and delegates — the same as a page that
 * does not exist, so nothing tells them what is there — and 401 when signed out; every server action of
 * modules/admin-tasks/actions.ts answers a non-admin with 404 and changes nothing. Real ids are used, so a
 * refusal cannot be an accidental "not found".
 */
type TPrincipal = TRole | "signed-out";
const NON_ADMINS: TPrincipal[] = ["alice", "bob", "carol"];

type TIds = Awaited<ReturnType<typeof seedTaskIds>>;
type TCase = { route: string; url: (ids: TIds) => string };

const EXS = "admin/exchange-services";
const CASES: TCase[] = [
  { route: "admin/page.tsx", url: () => "/admin" },
  { route: `${EXS}/page.tsx`, url: () => "/admin/exchange-services" },
  { route: `${EXS}/tasks/page.tsx`, url: () => "/admin/exchange-services/tasks?type=folder_replication" },
  { route: `${EXS}/tasks/new/page.tsx`, url: () => "/admin/exchange-services/tasks/new" },
  { route: `${EXS}/tasks/[taskId]/page.tsx`, url: (i) => `/admin/exchange-services/tasks/${i.taskId}` },
  {
    route: `${EXS}/tasks/[taskId]/options/page.tsx`,
    url: (i) => `/admin/exchange-services/tasks/${i.taskId}/options`,
  },
  {
    route: `${EXS}/tasks/[taskId]/logs/page.tsx`,
    url: (i) => `/admin/exchange-services/tasks/${i.taskId}/logs`,
  },
  {
    route: `${EXS}/tasks/[taskId]/logs/[runId]/page.tsx`,
    url: (i) => `/admin/exchange-services/tasks/${i.taskId}/logs/${i.runId}`,
  },
  {
    route: `${EXS}/tasks/[taskId]/progress/route.ts`,
    url: (i) => `/admin/exchange-services/tasks/${i.taskId}/progress`,
  },
  { route: `${EXS}/directory/groups/route.ts`, url: () => "/admin/exchange-services/directory/groups?q=a" },
  { route: `${EXS}/schedules/page.tsx`, url: () => "/admin/exchange-services/schedules" },
  { route: `${EXS}/schedules/new/page.tsx`, url: () => "/admin/exchange-services/schedules/new" },
  {
    route: `${EXS}/schedules/[scheduleId]/page.tsx`,
    url: (i) => `/admin/exchange-services/schedules/${i.scheduleId}`,
  },
  { route: `${EXS}/definitions/page.tsx`, url: () => "/admin/exchange-services/definitions" },
  { route: `${EXS}/definitions/new/page.tsx`, url: () => "/admin/exchange-services/definitions/new" },
  {
    route: `${EXS}/definitions/[definitionId]/page.tsx`,
    url: (i) => `/admin/exchange-services/definitions/${i.definitionId}`,
  },
  { route: `${EXS}/sites/page.tsx`, url: () => "/admin/exchange-services/sites" },
];

function routeFiles(dir: string, prefix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, `${prefix}${name}/`);
    return /^(page|route)\.(tsx?|jsx?)$/.test(name) ? [`${prefix}${name}`] : [];
  });
}

let ids: TIds;

test.beforeAll(async () => {
  ids = await seedTaskIds();
});
test.afterAll(async () => {
  await closeE2eDb();
});

test("every page and route handler of the admin console is in this matrix", () => {
  // The console's own files: the admin home and Exchange Services (other admin pages have their own specs).
  const files = [
    "admin/page.tsx",
    ...routeFiles(path.join(PORTAL_DIR, "app/admin/exchange-services"), "admin/exchange-services/"),
  ];
  const covered = new Set(CASES.map((c) => c.route));
  expect(files.filter((f) => !covered.has(f))).toEqual([]);
});

for (const principal of [...NON_ADMINS, "signed-out" as const]) {
  test(`${principal === "signed-out" ? "signed out" : principal}: every admin console route is refused`, async () => {
    const api = await apiAs(principal);
    const expected = principal === "signed-out" ? 401 : 404;
    const fx = readFixture();
    for (const c of CASES) {
      const url = c.url(ids);
      const response = await api.get(url);
      expect(response.status(), `${principal} ${url}`).toBe(expected);
      const body = await response.text();
      // Nothing of the console leaks into the refusal (its ids are in the URL, so names are checked).
      for (const leak of ["Mailbox Folder Replication — all licensed", "Every 4 hours", "All folders"]) {
        expect(body.includes(leak), `${principal} ${url} mentions ${leak}`).toBe(false);
      }
      expect(body.includes(fx.users.alice.upn), `${principal} ${url} mentions a mailbox`).toBe(false);
    }
    await api.dispose();
  });
}

test("admins open every admin console route", async () => {
  for (const role of ["dave", "erin"] as const) {
    const api = await apiAs(role);
    for (const c of CASES) {
      const url = c.url(ids);
      expect((await api.get(url)).status(), `${role} ${url}`).toBe(200);
    }
    await api.dispose();
  }
});

/** The ids of the admin console's server actions in the e2e build (Next's server reference manifest). */
function adminActionIds(): Array<{ id: string; name: string; page: string }> {
  const manifest = path.join(PORTAL_DIR, E2E_DIST_DIR, "server/server-reference-manifest.json");
  if (!existsSync(manifest)) return [];
  const json = JSON.parse(readFileSync(manifest, "utf8")) as {
    node?: Record<string, { filename?: string; exportedName?: string; workers?: Record<string, unknown> }>;
  };
  return Object.entries(json.node ?? {})
    .filter(([, v]) => (v.filename ?? "").includes("modules/admin-tasks/actions"))
    .map(([id, v]) => ({
      id,
      name: v.exportedName ?? id,
      // A page that uses the action: Next only runs an action posted to such a page.
      page: Object.keys(v.workers ?? {}).find((w) => w.startsWith("app/admin/")) ?? "",
    }));
}

test("every admin console server action refuses a non-admin and changes nothing", async () => {
  const source = readFileSync(path.join(PORTAL_DIR, "modules/admin-tasks/actions.ts"), "utf8");
  const exported = [...source.matchAll(/export async function (\w+)/g)].map((m) => m[1]).sort();
  const actions = adminActionIds();
  expect(actions.map((a) => a.name).sort()).toEqual(exported);

  const before = await configCounts();
  for (const principal of ["alice", "carol", "signed-out"] as const) {
    const api = await apiAs(principal);
    for (const action of actions) {
      // Posted to a page that uses the action, as the browser would; an action Next does not know would
      // answer 409 with x-nextjs-action-not-found, so 404 here is the admin guard's refusal.
      const page = action.page
        .replace(/^app/, "")
        .replace(/\/page$/, "")
        .replace("[taskId]", ids.taskId)
        .replace("[runId]", ids.runId)
        .replace("[scheduleId]", ids.scheduleId)
        .replace("[definitionId]", ids.definitionId);
      const response = await api.post(page, {
        headers: {
          "Next-Action": action.id,
          "Content-Type": "text/plain;charset=UTF-8",
          Accept: "text/x-component",
        },
        data: JSON.stringify([{ id: ids.taskId, confirm: "yes", name: "x" }]),
      });
      expect(
        response.headers()["x-nextjs-action-not-found"],
        `${action.name} is unknown to Next`,
      ).toBeUndefined();
      expect(response.status(), `${principal} calling ${action.name}`).toBe(
        principal === "signed-out" ? 401 : 404,
      );
    }
    await api.dispose();
  }
  expect(await configCounts()).toEqual(before);
});
