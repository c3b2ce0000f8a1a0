import type { Kind } from "./build-directory";
import type { Rng } from "./random";

export const WELL_KNOWN_FOLDERS = [
  "Inbox",
  "Drafts",
  "Sent Items",
  "Deleted Items",
  "Archive",
  "Junk Email",
] as const;

/**
 * Optional subtrees. Each user gets a different selection and depth, from a flat Inbox to a
 * five-level project tree; some names are non-ASCII, as German, French or Chinese users name them.
 */
const SUBTREES: readonly (readonly string[])[] = [
  ["Inbox/Projects", "Inbox/Projects/Phoenix", "Inbox/Projects/Phoenix/2025", "Inbox/Projects/Phoenix/2026"],
  [
    "Inbox/Projects",
    "Inbox/Projects/Phoenix",
    "Inbox/Projects/Phoenix/2026",
    "Inbox/Projects/Phoenix/2026/Q4",
  ],
  ["Inbox/Projects", "Inbox/Projects/Atlas"],
  ["Inbox/Customers", "Inbox/Customers/Fabrikam", "Inbox/Customers/Northwind Traders"],
  ["Inbox/Customers", "Inbox/Customers/Müller & Söhne"],
  ["Inbox/Team"],
  ["Inbox/Reports", "Inbox/Reports/Weekly", "Inbox/Reports/Monthly"],
  ["Inbox/Receipts"],
  ["Archive/2024", "Archive/2025"],
  ["Travel", "Travel/2025 Lisbon", "Travel/2026 京都"],
  ["Verträge", "Verträge/Lieferanten"],
  ["Équipe"],
  ["项目资料"],
  ["Personal"],
];

function withParents(paths: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/");
    for (let depth = 1; depth <= parts.length; depth++) set.add(parts.slice(0, depth).join("/"));
  }
  return [...set];
}

/** Sorted so that every parent comes before its children, and siblings keep a stable order. */
function parentsFirst(paths: string[]): string[] {
  const wellKnown = new Set<string>(WELL_KNOWN_FOLDERS);
  const custom = paths.filter((p) => !wellKnown.has(p));
  custom.sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : a > b ? 1 : 0));
  return [...WELL_KNOWN_FOLDERS, ...custom];
}

export function buildFolders(rng: Rng, kind: Kind): string[] {
  if (kind === "room" || kind === "equipment") return [...WELL_KNOWN_FOLDERS];
  if (kind === "shared") {
    return parentsFirst(
      withParents(["Inbox/Orders", "Inbox/Support", "Inbox/Support/Escalations", "Inbox/Support/Erledigt"]),
    );
  }
  const count = rng.weighted<number>([
    [1, 2],
    [3, 4],
    [5, 3],
    [8, 1],
  ]);
  const chosen = rng.sample(SUBTREES, count).flat();
  // Most people file newsletters away; those who don't get them in the Inbox
  if (rng.chance(0.7)) chosen.push("Inbox/Newsletters");
  return parentsFirst(withParents(chosen));
}

/** Custom folders under Inbox and elsewhere that received conversations get filed into. */
export function filingFolders(folders: readonly string[]): string[] {
  return folders.filter(
    (f) =>
      !(WELL_KNOWN_FOLDERS as readonly string[]).includes(f) &&
      f !== "Inbox/Newsletters" &&
      // a parent that only groups children ("Inbox/Projects") gets less mail than its leaves
      !folders.some((other) => other.startsWith(`${f}/`)),
  );
}
