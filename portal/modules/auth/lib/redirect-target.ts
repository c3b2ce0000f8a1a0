/**
 * A post-sign-in destination from user input: only a path on this portal ("/archive/…"), never another
 * origin or a protocol-relative URL ("//evil.example"), and never the sign-in pages themselves.
 */
export function safeRedirectTarget(value: unknown, fallback = "/archive"): string {
  if (typeof value !== "string" || value.length > 2000) return fallback;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return fallback;
  if ([...value].some((c) => c.charCodeAt(0) < 0x20)) return fallback;
  if (value === "/signin" || value.startsWith("/signin?") || value.startsWith("/api/auth")) return fallback;
  return value;
}
