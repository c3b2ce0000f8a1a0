import "server-only";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, fetch as undiciFetch } from "undici";

/**
 * The fetch Auth.js uses for everything it asks the identity provider (discovery, token, userinfo): the
 * system roots plus M365_CA_FILE when set (the simulator's local CA), through an undici Agent of our own.
 * Trust is explicit and scoped to sign-in, instead of NODE_EXTRA_CA_CERTS for the whole process, so
 * nothing else in the portal trusts that CA by accident.
 */
export function createOidcFetch(caFile: string | undefined): typeof globalThis.fetch {
  const extra = caFile ? readFileSync(caFile, "utf8") : undefined;
  const agent = new Agent({
    connect: { ...(extra ? { ca: [...rootCertificates, extra] } : {}), timeout: 10_000 },
    // Sign-in must fail in seconds with a clear error, not hang the browser, when Entra does not answer.
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  // undici's fetch and the global fetch have the same WHATWG shapes; the casts bridge their separate type
  // declarations only. oauth4webapi accepts undici's Response (it compares by Symbol.toStringTag).
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    });
    if (!response.ok)
      await logRefusal(String(input instanceof Request ? input.url : input), response.clone());
    return response;
  }) as unknown as typeof globalThis.fetch;
}

/**
 * Auth.js reports a failed code exchange as a bare "invalid_grant"; Entra's error_description says why
 * (AADSTS codes, no secrets), so the operator gets it in the log.
 */
async function logRefusal(url: string, response: { status: number; text(): Promise<string> }): Promise<void> {
  let detail = "";
  try {
    const body = JSON.parse(await response.text()) as { error?: string; error_description?: string };
    detail = [body.error, body.error_description].filter(Boolean).join(": ");
  } catch {
    // not JSON: the status says enough
  }
  console.warn(
    `sign-in: ${new URL(url).pathname} answered ${response.status}${detail ? ` (${detail.slice(0, 500)})` : ""}`,
  );
}
