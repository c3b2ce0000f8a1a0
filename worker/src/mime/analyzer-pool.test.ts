import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { mimeFixturesDir } from "../sync/testing/fixtures";
import { analyzeBytes } from "./analyze-mime";
import { MimeAnalyzerPool } from "./analyzer-pool";

const FIXTURES = mimeFixturesDir();
const sample = readFileSync(`${FIXTURES}index.tsv`, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((l) => l.split("\t")[0]!)
  .filter((_, i) => i % 10 === 0)
  .map((p) => readFileSync(FIXTURES + p));

const pools: MimeAnalyzerPool[] = [];
afterAll(async () => {
  for (const p of pools) await p.close();
});

describe("MIME analysis on a thread of its own", () => {
  it("gives exactly what analysis in this thread gives, for many messages at once", async () => {
    const pool = new MimeAnalyzerPool();
    pools.push(pool);
    const pooled = await Promise.all(sample.map((b) => pool.analyze(b)));
    const here = await Promise.all(sample.map((b) => analyzeBytes(b)));
    expect(pooled).toEqual(here);
    expect(pool.answeredByThread).toBe(sample.length);
    expect(pooled.some((a) => a.metadata.sentAt instanceof Date)).toBe(true);
  });

  it("analyses here when the thread cannot run, losing nothing", async () => {
    const pool = new MimeAnalyzerPool(new URL("./no-such-thread.mjs", import.meta.url));
    pools.push(pool);
    const pooled = await Promise.all(sample.slice(0, 5).map((b) => pool.analyze(b)));
    const here = await Promise.all(sample.slice(0, 5).map((b) => analyzeBytes(b)));
    expect(pooled).toEqual(here);
    expect(pool.answeredByThread).toBe(0);
  });
});
