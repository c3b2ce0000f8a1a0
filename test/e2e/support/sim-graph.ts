import { readFileSync } from "node:fs";
import { Agent, fetch } from "undici";
import type { TE2EFixture } from "./fixture";

/**
 * Reads what Microsoft 365 (the test's simulator) holds, the way the worker does: an app token from the
 * token endpoint and Graph `$value` for a message's MIME, over HTTPS trusting the simulator's CA.
 */
export async function simMessageBytes(fixture: TE2EFixture, upn: string, graphId: string): Promise<Buffer> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(fixture.sim.caFile, "utf8") } });
  try {
    const tokenResponse = await fetch(`${fixture.sim.authority}/oauth2/v2.0/token`, {
      method: "POST",
      dispatcher,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: fixture.sim.clientId,
        client_secret: fixture.sim.clientSecret,
        scope: "https://graph.microsoft.com/.default",
      }).toString(),
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    const response = await fetch(
      `${fixture.sim.graphUrl}/v1.0/users/${encodeURIComponent(upn)}/messages/${encodeURIComponent(graphId)}/$value`,
      { dispatcher, headers: { Authorization: `Bearer ${access_token}` } },
    );
    if (!response.ok) throw new Error(`Graph $value answered ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  } finally {
    await dispatcher.close();
  }
}
