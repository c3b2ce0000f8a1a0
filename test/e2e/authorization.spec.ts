import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { PORTAL_DIR } from "./portal-build";
import { readFixture, type TE2EFixture, type TRole } from "./support/fixture";
import { apiAs, messageUrl } from "./support/roles";

/**
 * The authorization matrix: every route that shows or serves archive data, requested by every kind of
 * principal (user A vs user B, a delegate, an admin without the content view / Protected Content grants,
 * an admin with them, signed out). Allowed requests answer 200; refused ones 401 (signed out), 403 or 404,
 * and no refused response carries anything of the mailbox it was refused (markers below).
 */
type TPrincipal = TRole | "signed-out";
const PRINCIPALS: TPrincipal[] = ["alice", "bob", "carol", "dave", "erin", "signed-out"];

type TCase = {
  /** The route file this case exercises (checked against portal/app below). */
  route: string;
  label: string;
  url: (fx: TE2EFixture) => string;
  expected: (p: TPrincipal, fx: TE2EFixture) => number;
};

type TKind = "owner" | "delegate" | "admin-content" | "admin-metadata" | "stranger" | "signed-out";

/** How a principal relates to bob's mailbox (the target of most cases). */
function kindForBob(p: TPrincipal, fx: TE2EFixture): TKind {
  if (p === "signed-out") return "signed-out";
  if (p === "bob") return "owner";
  if (fx.hasAdminRoles && p === "erin") return "admin-content";
  if (fx.hasAdminRoles && p === "dave") return "admin-metadata";
  return "stranger"; // alice (user A), carol (a delegate, but of alice only)
}

const metadataStatus = (k: TKind) => (k === "signed-out" ? 401 : k === "stranger" ? 404 : 200);
const contentStatus = (k: TKind) =>
  k === "signed-out" ? 401 : k === "stranger" ? 404 : k === "admin-metadata" ? 403 : 200;

const bobMessage = (fx: TE2EFixture, suffix = "") =>
  messageUrl(fx.mailboxes.bob, fx.messages.bobSecret.graphId, suffix);

const CASES: TCase[] = [
  {
    route: "archive/page.tsx",
    label: "mailbox picker",
    url: () => "/archive",
    expected: (p) => (p === "signed-out" ? 401 : 200),
  },
  {
    route: "admin/users/page.tsx",
    label: "Users page",
    url: () => "/admin/users?deactivated=1",
    expected: (p, fx) =>
      p === "signed-out" ? 401 : fx.hasAdminRoles && (p === "dave" || p === "erin") ? 200 : 404,
  },
  {
    route: "archive/[mailboxId]/page.tsx",
    label: "user B's snapshot view",
    url: (fx) => `/archive/${fx.mailboxes.bob}`,
    expected: (p, fx) => metadataStatus(kindForBob(p, fx)),
  },
  {
    route: "archive/[mailboxId]/page.tsx",
    label: "user B's mailbox searched for a word of a body",
    url: (fx) => `/archive/${fx.mailboxes.bob}?q=confidential&scope=mailbox`,
    expected: (p, fx) => metadataStatus(kindForBob(p, fx)),
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/page.tsx",
    label: "user B's message page",
    url: (fx) => bobMessage(fx),
    expected: (p, fx) => metadataStatus(kindForBob(p, fx)),
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/headers/page.tsx",
    label: "user B's message headers",
    url: (fx) => bobMessage(fx, "/headers"),
    expected: (p, fx) => contentStatus(kindForBob(p, fx)),
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/body/route.ts",
    label: "user B's message body",
    url: (fx) => bobMessage(fx, "/body"),
    expected: (p, fx) => contentStatus(kindForBob(p, fx)),
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/eml/route.ts",
    label: "user B's EML download",
    url: (fx) => bobMessage(fx, "/eml"),
    expected: (p, fx) => contentStatus(kindForBob(p, fx)),
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/attachments/[index]/route.ts",
    label: "user B's attachment download",
    url: (fx) => bobMessage(fx, "/attachments/0"),
    expected: (p, fx) => contentStatus(kindForBob(p, fx)),
  },
  // The Calendar, Contacts, Tasks and Notes sections (issue 7) open with metadata access, like the mail
  // snapshot view; their content needs the content view (an admin without it gets a notice, not the items).
  ...(["calendar", "contacts", "tasks", "notes"] as const).map(
    (section): TCase => ({
      route: `archive/[mailboxId]/${section}/page.tsx`,
      label: `user B's ${section} section`,
      url: (fx) => `/archive/${fx.mailboxes.bob}/${section}`,
      expected: (p, fx) => metadataStatus(kindForBob(p, fx)),
    }),
  ),
  // Items that do not exist: access is decided before the lookup, so only the authorized learn "not found".
  ...[
    ["archive/[mailboxId]/calendar/[eventId]/page.tsx", "calendar/no-such-event"],
    ["archive/[mailboxId]/calendar/[eventId]/ics/route.ts", "calendar/no-such-event/ics"],
    ["archive/[mailboxId]/contacts/[contactId]/vcf/route.ts", "contacts/no-such-contact/vcf"],
    ["archive/[mailboxId]/tasks/[taskId]/attachments/[partId]/route.ts", "tasks/no-such-task/attachments/1"],
  ].map(
    ([route, tail]): TCase => ({
      route: route!,
      label: `user B's ${tail}`,
      url: (fx) => `/archive/${fx.mailboxes.bob}/${tail}`,
      expected: (p, fx) => {
        const k = kindForBob(p, fx);
        return k === "signed-out" ? 401 : k === "admin-metadata" ? 403 : 404;
      },
    }),
  ),
  {
    route: "archive/[mailboxId]/page.tsx",
    label: "user A's snapshot view (carol is its delegate)",
    url: (fx) => `/archive/${fx.mailboxes.alice}`,
    expected: (p, fx) =>
      p === "signed-out"
        ? 401
        : p === "alice" || p === "carol" || (fx.hasAdminRoles && (p === "dave" || p === "erin"))
          ? 200
          : 404,
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/eml/route.ts",
    label: "user A's EML download",
    url: (fx) => messageUrl(fx.mailboxes.alice, fx.messages.quarterly.graphId, "/eml"),
    expected: (p, fx) =>
      p === "signed-out"
        ? 401
        : p === "alice" || p === "carol" || (fx.hasAdminRoles && p === "erin")
          ? 200
          : fx.hasAdminRoles && p === "dave"
            ? 403
            : 404,
  },
  {
    route: "archive/[mailboxId]/messages/[itemId]/page.tsx",
    label: "user B's message under user A's mailbox id",
    url: (fx) => messageUrl(fx.mailboxes.alice, fx.messages.bobSecret.graphId),
    expected: (p) => (p === "signed-out" ? 401 : 404),
  },
  {
    route: "archive/[mailboxId]/page.tsx",
    label: "a mailbox id that does not exist",
    url: () => "/archive/00000000-0000-4000-8000-000000000000",
    expected: (p) => (p === "signed-out" ? 401 : 404),
  },
  {
    route: "archive/[mailboxId]/page.tsx",
    label: "a malformed mailbox id",
    url: () => "/archive/not-a-mailbox",
    expected: (p) => (p === "signed-out" ? 401 : 404),
  },
];

/** Pages and handlers anyone may open: they show nothing of any mailbox. */
const PUBLIC_ROUTES = new Set([
  "page.tsx",
  "status/page.tsx",
  "signin/page.tsx",
  "signed-out/page.tsx",
  "api/health/route.ts",
  "api/auth/[...nextauth]/route.ts",
]);

function routeFiles(dir = path.join(PORTAL_DIR, "app"), prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full, `${prefix}${name}/`);
    return /^(page|route)\.(tsx?|jsx?)$/.test(name) ? [`${prefix}${name}`] : [];
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules" || name.startsWith(".next") || name === "public") return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

/**
 * The admin console (issue 6) has its own matrix, admin-access.spec.ts: every route under /admin except the
 * Users page, and the server actions of modules/admin-tasks/actions.ts.
 */
const ADMIN_CONSOLE_SPEC = path.join(import.meta.dirname, "admin-access.spec.ts");
const isAdminConsole = (route: string) => route.startsWith("admin/") && !route.startsWith("admin/users/");

test("every page and route handler of the portal is public, in this matrix, or in the admin console's", () => {
  const covered = new Set(CASES.map((c) => c.route));
  const uncovered = routeFiles().filter(
    (r) => !PUBLIC_ROUTES.has(r) && !covered.has(r) && !(isAdminConsole(r) && existsSync(ADMIN_CONSOLE_SPEC)),
  );
  expect(uncovered).toEqual([]);
});

test("server actions: sign-in and sign-out (need no authorization), and the admin console's (own matrix)", () => {
  const withActions = sourceFiles(PORTAL_DIR)
    .filter((f) => /^\s*["']use server["']/m.test(readFileSync(f, "utf8")))
    .map((f) => path.relative(PORTAL_DIR, f))
    // the admin console's modules (tasks, retention, …): their actions are in admin-access.spec.ts
    .filter((f) => !(/^modules\/admin-[a-z-]+\/actions\.ts$/.test(f) && existsSync(ADMIN_CONSOLE_SPEC)));
  expect(withActions).toEqual(["modules/auth/actions.ts"]);
  const exported = [
    ...readFileSync(path.join(PORTAL_DIR, "modules/auth/actions.ts"), "utf8").matchAll(
      /export async function (\w+)/g,
    ),
  ].map((m) => m[1]);
  expect(exported).toEqual(["signInAction", "signOutAction"]);
});

for (const principal of PRINCIPALS) {
  test(`authorization matrix as ${principal}`, async () => {
    const fx = readFixture();
    const api = await apiAs(principal);
    const secrets = [fx.markers.bobBody, fx.markers.bobSubject, fx.markers.bobAttachment];
    const failures: string[] = [];
    for (const c of CASES) {
      const url = c.url(fx);
      const expected = c.expected(principal, fx);
      const response = await api.get(url);
      const body = await response.text();
      if (response.status() !== expected)
        failures.push(`${c.label} (${url}): ${response.status()}, expected ${expected}`);
      if (expected >= 400) {
        const leaked = secrets.filter((s) => body.includes(s));
        if (leaked.length) failures.push(`${c.label}: the refusal leaks ${leaked.join(", ")}`);
      }
      // an admin without content view sees user B's message page but never its body, headers or files
      if (principal === "dave" && body.includes(fx.markers.bobBody))
        failures.push(`${c.label}: dave saw the body`);
      // the markers are real: the owner does see them where content is served
      if (principal === "bob" && c.label === "user B's message body" && !body.includes(fx.markers.bobBody)) {
        failures.push("the body marker is not in bob's own body response (the leak check would be blind)");
      }
    }
    await api.dispose();
    expect(failures).toEqual([]);
  });
}
