import { describe, expect, it } from "vitest";
import { safeRedirectTarget } from "./redirect-target";

describe("safeRedirectTarget", () => {
  it("keeps paths on this portal and refuses anything else", () => {
    expect(safeRedirectTarget("/archive/x?at=1")).toBe("/archive/x?at=1");
    for (const bad of [
      "https://evil.test/",
      "//evil.test",
      "/\\evil.test",
      "javascript:alert(1)",
      "/signin",
      "/api/auth/signout",
      "/a\nb",
      42,
    ]) {
      expect(safeRedirectTarget(bad)).toBe("/archive");
    }
  });
});
