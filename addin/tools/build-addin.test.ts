import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildAddin } from "./build-addin";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-addin-build-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else out[rel] = readFileSync(path.join(dir, rel)).toString("base64");
    }
  };
  walk("");
  return out;
}

describe("buildAddin", () => {
  it("is reproducible: two builds give the same bytes", async () => {
    const a = path.join(tempDir(), "addin");
    const b = path.join(tempDir(), "addin");
    await buildAddin({ outDir: a, publicUrl: "https://coffer.example.test" });
    await buildAddin({ outDir: b, publicUrl: "https://coffer.example.test" });
    expect(snapshot(a)).toEqual(snapshot(b));
  });

  it("replaces its own earlier output", async () => {
    const out = path.join(tempDir(), "addin");
    await buildAddin({ outDir: out, publicUrl: "https://coffer.example.test" });
    writeFileSync(path.join(out, "stale.js"), "old");
    await buildAddin({ outDir: out, publicUrl: "https://coffer.example.test" });
    expect(readdirSync(out)).not.toContain("stale.js");
  });

  it("refuses to empty a folder it did not make", async () => {
    const out = path.join(tempDir(), "precious");
    mkdirSync(out);
    writeFileSync(path.join(out, "notes.txt"), "keep me");
    await expect(buildAddin({ outDir: out, publicUrl: "https://coffer.example.test" })).rejects.toThrow(
      /not made by the add-in build/,
    );
    expect(readFileSync(path.join(out, "notes.txt"), "utf8")).toBe("keep me");
  });

  it("rejects a non-https origin before touching the output folder", async () => {
    const out = path.join(tempDir(), "addin");
    await expect(buildAddin({ outDir: out, publicUrl: "http://coffer.example.test" })).rejects.toThrow(
      /https/,
    );
    expect(() => readdirSync(out)).toThrow();
  });
});
