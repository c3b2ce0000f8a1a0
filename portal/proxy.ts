import { type NextRequest, NextResponse } from "next/server";
import { pageContentSecurityPolicy } from "@/lib/security/csp";
import { proxySettings } from "@/lib/security/env";

/**
 * Runs before every portal page (Next's proxy, formerly middleware). It authorizes nothing: authorization
 * is checked where data is read (lib/authz/guard.ts). It does two things:
 * - a strict Content-Security-Policy with a fresh nonce per request (lib/security/csp.ts); the message
 *   body document sets its own, stricter policy, so it is left alone here;
 * - `x-coffer-path`: the requested path, so the "sign in to continue" page can send the reader back to it.
 */
const BODY_DOCUMENT = /^\/archive\/[^/]+\/messages\/[^/]+\/body$/;

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-coffer-path", `${pathname}${search}`.slice(0, 2000));
  if (BODY_DOCUMENT.test(pathname)) return NextResponse.next({ request: { headers: requestHeaders } });

  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const { signInOrigin, isDev } = proxySettings();
  const csp = pageContentSecurityPolicy(nonce, signInOrigin, isDev);
  // Next reads the nonce from the request's CSP header and applies it to the scripts it renders.
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  // For browsers without CSP frame-ancestors.
  response.headers.set("X-Frame-Options", "DENY");
  return response;
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|addin/|icon.svg|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
