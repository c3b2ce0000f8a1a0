import { describe, expect, it } from "vitest";
import { formatSummary, fromCheck, fromPlaywright, fromVitest } from "./test-summary";

describe("npm test's summary", () => {
  it("adds up the runners' counts into the final line", () => {
    const tiers = [
      fromCheck({ passed: 3, failed: 1, steps: [{ name: "biome", result: "failed" }] }, 1),
      fromVitest("unit", { numPassedTests: 10, numFailedTests: 0, numPendingTests: 2, testResults: [] }, 0),
      fromVitest("integration", { numPassedTests: 4, numFailedTests: 1, testResults: [] }, 1),
      fromPlaywright({ stats: { expected: 2, unexpected: 0, flaky: 1, skipped: 0 }, errors: [] }, 0),
    ];
    const lines = formatSummary(tiers);
    expect(lines.at(-1)).toBe("20 passed, 2 failed");
    expect(lines[0]).toContain("failed: biome");
    expect(lines[1]).toContain("2 skipped");
  });

  it("counts a file that failed outside any test (import error, failing hook) as a failure", () => {
    const r = fromVitest(
      "integration",
      {
        numPassedTests: 3,
        numFailedTests: 0,
        testResults: [{ status: "failed", message: "Cannot find module", assertionResults: [] }],
      },
      1,
    );
    expect(r).toMatchObject({ passed: 3, failed: 1 });
  });

  it("counts a runner that crashed without a report as a failure, never as 0 failed", () => {
    expect(fromVitest("integration", undefined, 1)).toMatchObject({ passed: 0, failed: 1 });
    expect(fromPlaywright(undefined, 1)).toMatchObject({ failed: 1 });
    expect(fromVitest("unit", { numPassedTests: 5, numFailedTests: 0, testResults: [] }, 1).failed).toBe(1);
    expect(
      fromPlaywright({ stats: { expected: 1, unexpected: 0 }, errors: [{ message: "webServer" }] }, 1).failed,
    ).toBe(1);
  });
});
