import "server-only";
import { headers } from "next/headers";

/**
 * Where a request came from, for the audit log. The address is X-Forwarded-For as the portal received it:
 * Next sets it to the socket's address unless a reverse proxy already did (so behind a proxy it is the
 * proxy's chain, and without one a client could pre-fill it; the socket address then ends the chain only
 * if the proxy appends). Kept as received, bounded, never parsed for decisions.
 */
export async function requestMeta(): Promise<{ ip: string | null; userAgent: string | null }> {
  const h = await headers();
  const ip = h.get("x-forwarded-for") ?? h.get("x-real-ip");
  const userAgent = h.get("user-agent");
  return { ip: ip ? ip.slice(0, 200) : null, userAgent: userAgent ? userAgent.slice(0, 500) : null };
}
