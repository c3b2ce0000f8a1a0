/**
 * The Content-Security-Policy of portal pages: scripts only from this origin and with this request's
 * nonce (Next puts it on its own scripts), no plugins, no framing of the portal, forms only to this origin
 * and the sign-in server (form-action also covers the redirect a sign-in form submission answers with).
 */
export function pageContentSecurityPolicy(
  nonce: string,
  signInOrigin: string | null,
  isDev: boolean,
): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? " 'unsafe-eval'" : ""}`,
    // React writes style attributes; styles cannot run code, and images and fonts stay limited below.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${signInOrigin ? ` ${signInOrigin}` : ""}`,
    "frame-src 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The policy of a message body document (shown in a sandboxed iframe): nothing may load or run except
 * inline styles and images embedded in the message; remote images only when the reader asked for them.
 * `sandbox` applies even if the document is opened directly, outside the iframe.
 */
export function bodyContentSecurityPolicy(allowRemoteImages: boolean): string {
  return [
    "default-src 'none'",
    `img-src data:${allowRemoteImages ? " https: http:" : ""}`,
    "style-src 'unsafe-inline'",
    "font-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    "sandbox allow-popups allow-popups-to-escape-sandbox",
  ].join("; ");
}
