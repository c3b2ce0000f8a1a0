// How the `coffer` command runs Coffer's TypeScript. The sources are bundled once into worker/.build/ (our
// own packages bundled, npm dependencies left to Node) and the bundle is run; it is rebuilt when a source it
// was made from changes. Against registering tsx's loader in every process this saves a loader thread with a
// heap of its own and the per-module transform work: a bare `coffer` process starts in ~1 s instead of
// ~1.9 s and holds ~45 MB less, room the sync spends on a larger young generation (see
// docs/decisions/worker-bundle.md).
// When no bundle can be made (the folder is read-only, esbuild is missing) the sources run through tsx as
// before, with a line on stderr saying so.
//
// Plain JavaScript: this runs before anything could load TypeScript.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const WORKER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO = path.dirname(WORKER);
const DEFAULT_ROOT = path.join(WORKER, ".build");

/** The bundle's entries, by output name; analyzer-pool.ts finds its thread's entry beside the CLI's. */
const ENTRIES = {
  main: "worker/src/cli/main.ts",
  "analyzer-thread": "worker/src/mime/analyzer-thread-main.ts",
};

/** Files that change the output without being bundled themselves. */
const SETTINGS = [
  "worker/bin/launch.js",
  "worker/package.json",
  "db/package.json",
  "tsconfig.json",
  "tsconfig.base.json",
];

/** Builds older than this that are not the current one are removed, unless a live process runs from one. */
const OLD_BUILD_MS = 60 * 60 * 1000;

/**
 * @typedef {{ dir: string, inputs: [string, number, number][] }} TManifest
 *   dir: the build's folder inside the build root; inputs: [path from the repo, mtimeMs, size] of every file
 *   it was made from.
 */

/**
 * The folder of an up-to-date bundle, or undefined when there is none.
 * @param {string} root
 * @returns {string | undefined}
 */
export function currentBuild(root) {
  /** @type {TManifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(root, "current.json"), "utf8"));
  } catch {
    return undefined;
  }
  for (const [file, mtimeMs, size] of manifest.inputs) {
    const stat = statSync(path.join(REPO, file), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
  }
  const dir = path.join(root, manifest.dir);
  return Object.keys(ENTRIES).every((name) =>
    statSync(path.join(dir, `${name}.mjs`), { throwIfNoEntry: false }),
  )
    ? dir
    : undefined;
}

/**
 * Bundles the sources into a new folder of the build root and makes it the current one. Each build gets a
 * folder of its own and the manifest is replaced by a rename, so processes starting at the same time (the
 * tests start dozens) never see half a bundle, whichever of their builds wins.
 * @param {string} root
 * @returns {Promise<string>} the new build's folder
 */
export async function buildBundle(root) {
  const { build } = await import("esbuild");
  mkdirSync(root, { recursive: true });
  const name = `b-${Date.now().toString(36)}-${process.pid}`;
  const dir = path.join(root, name);
  const result = await build({
    absWorkingDir: REPO,
    entryPoints: ENTRIES,
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    // Modules the code imports lazily (a command's implementation, BullMQ, the PIM parsers) stay lazy: in
    // one file their npm packages would be imported at start by every command (~28 MB more for `coffer ls`).
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    metafile: true,
    logLevel: "silent",
    plugins: [
      {
        name: "npm-dependencies-stay-outside",
        setup(b) {
          // Bare imports are npm packages, resolved by Node at run time as before, except our own workspaces
          // (their package exports point at TypeScript).
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@coffer/") ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  const files = [...Object.keys(result.metafile.inputs), ...SETTINGS];
  /** @type {TManifest} */
  const manifest = {
    dir: name,
    inputs: files.flatMap((file) => {
      const stat = statSync(path.join(REPO, file), { throwIfNoEntry: false });
      return stat ? [[file, stat.mtimeMs, stat.size]] : [];
    }),
  };
  const temp = path.join(root, `current.json.${process.pid}`);
  writeFileSync(temp, JSON.stringify(manifest));
  renameSync(temp, path.join(root, "current.json"));
  removeOldBuilds(root, name);
  return dir;
}

/**
 * @param {string} root
 * @param {string} keep
 */
function removeOldBuilds(root, keep) {
  for (const entry of readdirSync(root)) {
    if (entry === keep || !entry.startsWith("b-")) continue;
    const dir = path.join(root, entry);
    const stat = statSync(dir, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > OLD_BUILD_MS && !isInUse(dir))
      rmSync(dir, { recursive: true, force: true });
  }
}

const IN_USE = ".in-use-";

/**
 * Marks a build as used by this process until it exits. A process imports parts of its build late (a
 * command's implementation, the MIME thread), so a worker that has run for days from an older build must
 * keep it after an update made a new one.
 * @param {string} dir
 */
function markInUse(dir) {
  const marker = path.join(dir, `${IN_USE}${process.pid}`);
  try {
    writeFileSync(marker, "");
    process.once("exit", () => rmSync(marker, { force: true }));
  } catch {
    // Unmarked, the build is still kept for an hour after a newer one appears.
  }
}

/**
 * Whether a live process runs from this build (markers of processes that died without exiting are removed).
 * @param {string} dir
 */
export function isInUse(dir) {
  let isUsed = false;
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith(IN_USE)) continue;
    if (isAlive(Number(entry.slice(IN_USE.length)))) isUsed = true;
    else rmSync(path.join(dir, entry), { force: true });
  }
  return isUsed;
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return /** @type {NodeJS.ErrnoException} */ (error).code === "EPERM";
  }
}

/**
 * The folder of an up-to-date bundle, built when the sources changed since the last one.
 * @param {string} [root]
 * @returns {Promise<string>}
 */
export async function ensureBundle(root = DEFAULT_ROOT) {
  return currentBuild(root) ?? (await buildBundle(root));
}

/**
 * The CLI's module: from the bundle, else from the sources through tsx.
 * @param {string} [root]
 * @returns {Promise<{ main: (argv: readonly string[]) => Promise<number> }>}
 */
export async function loadCli(root = DEFAULT_ROOT) {
  let dir;
  try {
    dir = await ensureBundle(root);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    console.error(`coffer: running from the TypeScript sources (could not bundle them: ${reason})`);
  }
  if (dir) {
    // With --debug (the command's option for stack traces), traces name the TypeScript files and lines.
    // Not always: once something formats a trace, Node holds the parsed map, ~30 MB of the worker's 300.
    if (process.argv.includes("--debug")) process.setSourceMapsEnabled(true);
    markInUse(dir);
    return import(pathToFileURL(path.join(dir, "main.mjs")).href);
  }
  const { register } = await import("tsx/esm/api");
  register();
  return import("../src/cli/main.ts");
}
