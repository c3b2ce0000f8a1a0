/** True for URLs that point at this machine (loopback address, localhost, or a unix socket). */
export function isLoopbackUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.replace(/^\[|\]$/g, "");
  if (!host) return (u.searchParams.get("host") ?? "").startsWith("/");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
