import { readFileSync } from "node:fs";
import { createSecureContext, rootCertificates } from "node:tls";
import { Agent, fetch as undiciFetch } from "undici";

/**
 * The one HTTPS transport for MSAL and Graph. Trust is explicit: the system roots plus the CA file from
 * configuration (the simulator's CA in development, a corporate TLS-inspection CA in production if any),
 * instead of the process-wide NODE_EXTRA_CA_CERTS, so nothing else in the process trusts it by accident.
 */
export type THttpTransportOptions = {
  /** PEM file of an extra CA to trust (M365_CA_FILE). */
  caFile?: string | undefined;
  /** Or the PEM itself (tests that start the simulator in-process). */
  caPem?: string | undefined;
  /** Time to receive response headers; Graph answers within seconds unless throttled. */
  headersTimeoutMs?: number;
  /** Longest silence inside a body (not the total): a 100 MB MIME download may take minutes. */
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Sockets kept per origin; above the 4-per-mailbox limit so many mailboxes can run at once. */
  connections?: number;
};

export type THttpTransport = {
  fetch: typeof globalThis.fetch;
  close(): Promise<void>;
};

export function createHttpTransport(opts: THttpTransportOptions = {}): THttpTransport {
  const extra = opts.caPem ?? (opts.caFile ? readFileSync(opts.caFile, "utf8") : undefined);
  // One secure context for every connection: building one from ~150 roots per connection costs ~1 ms.
  const secureContext = extra ? createSecureContext({ ca: [...rootCertificates, extra] }) : undefined;
  const agent = new Agent({
    connect: {
      ...(secureContext ? { secureContext } : {}),
      timeout: opts.connectTimeoutMs ?? 10_000,
    },
    headersTimeout: opts.headersTimeoutMs ?? 60_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
    connections: opts.connections ?? 128,
    keepAliveTimeout: 10_000,
  });
  // undici's fetch and the global fetch share the WHATWG shapes; the cast bridges their separate type
  // declarations (undici-types vs lib.dom) only.
  const fetchWithCa = ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    })) as unknown as typeof globalThis.fetch;
  return {
    fetch: fetchWithCa,
    close: () => agent.close(),
  };
}
