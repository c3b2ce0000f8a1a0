import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The last lines of `npm test`: one line per tier and a final `N passed, N failed`, from the runners' JSON
 * reports (Vitest's json reporter, Playwright's json reporter, check.sh's report) and their exit codes.
 * A runner that failed without reporting a failed test (a crash, a failing global setup, a file that does
 * not load) counts as one failure, so the total never says "0 failed" for a red run.
 */

export type TierResult = {
  tier: string;
  passed: number;
  failed: number;
  skipped: number;
  note?: string;
  seconds?: number;
};

type VitestReport = {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: {
    status?: string;
    name?: string;
    message?: string;
    assertionResults?: { status?: string }[];
  }[];
};

type PlaywrightReport = {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number };
  errors?: unknown[];
};

type CheckReport = { passed?: number; failed?: number; steps?: { name: string; result: string }[] };

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function readExit(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const n = Number(readFileSync(file, "utf8").trim());
  return Number.isFinite(n) ? n : 1;
}

export function fromVitest(
  tier: string,
  report: VitestReport | undefined,
  exitCode: number | undefined,
): TierResult {
  if (!report) {
    return {
      tier,
      passed: 0,
      failed: 1,
      skipped: 0,
      note: `no report (the runner exited with ${exitCode ?? "?"})`,
    };
  }
  // A file that fails to load or whose hooks fail has status "failed" but may contain no failed test.
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed"),
  ).length;
  const r: TierResult = {
    tier,
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
  if (brokenFiles) r.note = `${brokenFiles} file${brokenFiles === 1 ? "" : "s"} failed outside a test`;
  if (exitCode && r.failed === 0) {
    r.failed = 1;
    r.note = `the runner exited with ${exitCode}`;
  }
  return r;
}

export function fromPlaywright(
  report: PlaywrightReport | undefined,
  exitCode: number | undefined,
): TierResult {
  const tier = "e2e";
  if (!report?.stats) {
    return {
      tier,
      passed: 0,
      failed: 1,
      skipped: 0,
      note: `no report (the runner exited with ${exitCode ?? "?"})`,
    };
  }
  const s = report.stats;
  const r: TierResult = {
    tier,
    passed: (s.expected ?? 0) + (s.flaky ?? 0),
    failed: s.unexpected ?? 0,
    skipped: s.skipped ?? 0,
  };
  if (s.flaky) r.note = `${s.flaky} flaky`;
  if ((report.errors?.length ?? 0) > 0 && r.failed === 0) {
    r.failed = 1;
    r.note = `${report.errors?.length} error(s) outside a test`;
  }
  if (exitCode && r.failed === 0) {
    r.failed = 1;
    r.note = `the runner exited with ${exitCode}`;
  }
  return r;
}

export function fromCheck(report: CheckReport | undefined, exitCode: number | undefined): TierResult {
  if (!report) return { tier: "check", passed: 0, failed: 1, skipped: 0, note: "no report" };
  const failedSteps = (report.steps ?? []).filter((s) => s.result !== "passed").map((s) => s.name);
  const r: TierResult = { tier: "check", passed: report.passed ?? 0, failed: report.failed ?? 0, skipped: 0 };
  if (failedSteps.length) r.note = `failed: ${failedSteps.join("; ")}`;
  if (exitCode && r.failed === 0) r.failed = 1;
  return r;
}

export function summarize(dir: string): TierResult[] {
  const tiers: TierResult[] = [];
  const stackExit = readExit(path.join(dir, "stack.exit"));
  if (stackExit !== undefined) {
    tiers.push(
      stackExit === 0
        ? { tier: "stack", passed: 1, failed: 0, skipped: 0 }
        : { tier: "stack", passed: 0, failed: 1, skipped: 0, note: "`npm run stack` failed (see above)" },
    );
  }
  if (readExit(path.join(dir, "check.exit")) !== undefined) {
    tiers.push(fromCheck(readJson(path.join(dir, "check.json")), readExit(path.join(dir, "check.exit"))));
  }
  for (const tier of ["unit", "integration"]) {
    const exit = readExit(path.join(dir, `${tier}.exit`));
    if (exit !== undefined) tiers.push(fromVitest(tier, readJson(path.join(dir, `${tier}.json`)), exit));
  }
  const e2eExit = readExit(path.join(dir, "e2e.exit"));
  if (e2eExit !== undefined) tiers.push(fromPlaywright(readJson(path.join(dir, "e2e.json")), e2eExit));
  for (const t of tiers) {
    const seconds = readExit(path.join(dir, `${t.tier}.seconds`));
    if (seconds !== undefined) t.seconds = seconds;
  }
  return tiers;
}

export function formatSummary(tiers: readonly TierResult[]): string[] {
  const lines = tiers.map((t) => {
    const skipped = t.skipped ? `, ${t.skipped} skipped` : "";
    const note = t.note ? `  (${t.note})` : "";
    const time = t.seconds !== undefined ? `${t.seconds} s`.padStart(6) : "".padStart(6);
    return `${t.tier.padEnd(12)} ${time}  ${t.passed} passed, ${t.failed} failed${skipped}${note}`;
  });
  const passed = tiers.reduce((n, t) => n + t.passed, 0);
  const failed = tiers.reduce((n, t) => n + t.failed, 0);
  lines.push(`${passed} passed, ${failed} failed`);
  return lines;
}

// Run as a script: `tsx scripts/test-summary.ts <reports dir>`; the exit code is 1 when anything failed.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const dir = process.argv[2] ?? ".coffer/test-reports";
  const tiers = summarize(dir);
  for (const line of formatSummary(tiers)) console.log(line);
  process.exitCode = tiers.some((t) => t.failed > 0) || tiers.length === 0 ? 1 : 0;
}
