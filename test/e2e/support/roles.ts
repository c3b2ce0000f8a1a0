import { type APIRequestContext, expect, type Page, request, test } from "@playwright/test";
import { seriousA11yViolations } from "../a11y";
import { authStatePath, readFixture, type TRole } from "./fixture";

/** Starts every test of the current describe block signed in as `role` (state saved by auth.setup.ts). */
export function signedInAs(role: TRole): void {
  test.use({ storageState: authStatePath(role) });
}

/** An HTTP client with the role's session cookie (or none), for status-code checks without a browser. */
export async function apiAs(role: TRole | "signed-out"): Promise<APIRequestContext> {
  return request.newContext({
    baseURL: readFixture().portalUrl,
    ...(role === "signed-out" ? {} : { storageState: authStatePath(role) }),
    maxRedirects: 0,
  });
}

export async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await seriousA11yViolations(page), what).toEqual([]);
}

export function mailboxUrl(mailboxId: string, query: Record<string, string> = {}): string {
  const qs = new URLSearchParams(query).toString();
  return `/archive/${mailboxId}${qs ? `?${qs}` : ""}`;
}

export function messageUrl(
  mailboxId: string,
  graphId: string,
  suffix = "",
  query: Record<string, string> = {},
): string {
  const qs = new URLSearchParams(query).toString();
  return `/archive/${mailboxId}/messages/${encodeURIComponent(graphId)}${suffix}${qs ? `?${qs}` : ""}`;
}
