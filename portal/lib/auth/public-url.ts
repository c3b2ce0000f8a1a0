import "server-only";

/**
 * The request as the browser addressed it. Next's request URLs name loopback hosts "localhost" whatever
 * the browser used (NextURL rewrites 127.0.0.1 and ::1), while Auth.js builds the sign-in redirect in a
 * server action from the Host headers. The OAuth redirect_uri must be identical in the authorization
 * request and the code exchange, so the Auth.js route handler gets a plain Request whose URL is rebuilt
 * from the same headers (Next sets X-Forwarded-Host/Proto from the request when no reverse proxy did).
 */
export function withPublicUrl(request: Request): Request {
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!host) return request;
  const proto = request.headers.get("x-forwarded-proto") === "https" ? "https" : "http";
  const url = new URL(request.url);
  const publicUrl = new URL(`${url.pathname}${url.search}`, `${proto}://${host}`);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return new Request(publicUrl, {
    method: request.method,
    headers: request.headers,
    body: hasBody ? request.body : null,
    signal: request.signal,
    // Node's fetch Request needs this for a streamed body.
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}
