import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeBytes } from "../src/mime/analyze-mime";
import { MimeAnalyzerPool } from "../src/mime/analyzer-pool";
import { WORKER_NODE_FLAGS } from "../src/runtime/node-flags";
import { buildBundle, currentBuild, isInUse } from "./launch.js";

const HERE = import.meta.dirname;
// Inside the worker package, as the real build root is: the bundle finds its npm packages from there.
mkdirSync(path.join(HERE, "../.build"), { recursive: true });
const root = mkdtempSync(path.join(HERE, "../.build/test-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the coffer command's bundle", () => {
  it("is built, found while its sources are unchanged, and not found once one changed", async () => {
    expect(currentBuild(root)).toBeUndefined();
    const dir = await buildBundle(root);
    expect(currentBuild(root)).toBe(dir);

    const manifestFile = path.join(root, "current.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { inputs: [string, number, number][] };
    const files = manifest.inputs.map(([file]) => file);
    expect(files).toContain("worker/src/cli/main.ts");
    expect(files).toContain("db/src/blobs/store.ts");
    expect(files).toContain("worker/bin/launch.js");
    // npm packages are left to Node, not bundled.
    expect(files.some((f) => f.includes("node_modules"))).toBe(false);

    const edited = structuredClone(manifest);
    edited.inputs[0]![1] -= 1000;
    writeFileSync(manifestFile, JSON.stringify(edited));
    expect(currentBuild(root)).toBeUndefined();
    writeFileSync(manifestFile, JSON.stringify(manifest));
    expect(currentBuild(root)).toBe(dir);
  });

  it("runs the command line, and its MIME analysis thread answers as analysis in this thread does", async () => {
    const dir = currentBuild(root) ?? (await buildBundle(root));
    const launch = JSON.stringify(path.join(HERE, "launch.js"));
    const help = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { main } = await (await import(${launch})).loadCli(${JSON.stringify(root)});
         const { readdirSync } = await import("node:fs");
         console.log("in use by", readdirSync(${JSON.stringify(dir)}).filter((f) => f.startsWith(".in-use-")));
         await main(["node", "coffer", "--help"]);`,
      ],
      { encoding: "utf8" },
    );
    expect(help).toContain("Usage: coffer");
    expect(help).toMatch(/in use by \[ '\.in-use-\d+' \]/);
    // The process marked the build as in use while it ran, and unmarked it when it exited.
    expect(readdirSync(dir).filter((f) => f.startsWith(".in-use-"))).toEqual([]);

    const pool = new MimeAnalyzerPool(new URL(`file://${path.join(dir, "analyzer-thread.mjs")}`));
    try {
      const message = Buffer.from("From: a@example.com\r\nSubject: bundled\r\n\r\nbody\r\n");
      expect(await pool.analyze(message)).toEqual(await analyzeBytes(message));
      expect(pool.answeredByThread).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it("keeps an older build while a live process runs from it", async () => {
    const dir = currentBuild(root) ?? (await buildBundle(root));
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(path.join(dir, `.in-use-${dead}`), "");
    expect(isInUse(dir)).toBe(false);
    expect(existsSync(path.join(dir, `.in-use-${dead}`))).toBe(false);

    writeFileSync(path.join(dir, `.in-use-${process.pid}`), "");
    expect(isInUse(dir)).toBe(true);
    rmSync(path.join(dir, `.in-use-${process.pid}`));

    // An hour-old build nobody runs from goes when the next one is made; one in use stays.
    const old = path.join(root, "b-old-unused");
    const used = path.join(root, "b-old-used");
    for (const d of [old, used]) mkdirSync(d);
    writeFileSync(path.join(used, `.in-use-${process.pid}`), "");
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const d of [old, used]) utimesSync(d, hoursAgo, hoursAgo);
    await buildBundle(root);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(used)).toBe(true);
  });

  it("runs from the sources through tsx when no bundle can be made, and says so", () => {
    const launch = JSON.stringify(path.join(HERE, "launch.js"));
    const run = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { main } = await (await import(${launch})).loadCli(${JSON.stringify(path.join(HERE, "coffer.js", "build"))});
         await main(["node", "coffer", "--help"]);`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(run.stderr).toContain("coffer: running from the TypeScript sources (could not bundle them:");
    expect(run.stdout).toContain("Usage: coffer");
  });

  it("runs `coffer` as a program with the worker's Node flags", () => {
    const shebang = readFileSync(path.join(HERE, "coffer.js"), "utf8").split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${WORKER_NODE_FLAGS.join(" ")}`);
  });
});
