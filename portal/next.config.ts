import type { NextConfig } from "next";

// Headers for the portal's own pages. The add-in under /addin/ is left out on purpose: Outlook on the web
// shows the task pane inside an iframe on Microsoft's origins, so it must stay frameable. Framing rules
// and the Content-Security-Policy of pages come from proxy.ts (a nonce per request); the message body
// document, which the portal frames itself, sets its own.
const PORTAL_SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

const nextConfig: NextConfig = {
  // The e2e suite builds into its own folder (test/e2e/portal-build.ts) so a running demo, which uses
  // .next, and a test run never swap builds under each other. Build and start must agree on it.
  distDir: process.env.COFFER_PORTAL_DIST_DIR || ".next",
  // The workspace packages ship TypeScript sources (no build step), so Next compiles them.
  transpilePackages: ["@coffer/db", "@coffer/worker"],
  poweredByHeader: false,
  // forbidden() and unauthorized() (403 and 401 pages), used by lib/authz/guard.ts.
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  async headers() {
    return [
      { source: "/((?!addin/).*)", headers: PORTAL_SECURITY_HEADERS },
      { source: "/addin/:path*", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] },
    ];
  },
};

export default nextConfig;
