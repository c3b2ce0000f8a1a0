/**
 * The repository's manifest.xml names the placeholder origin below in every URL. An operator gets a
 * manifest for their own host by rewriting that origin (the add-in build does it for COFFER_PUBLIC_URL,
 * and `npm run manifest -w @coffer/addin -- https://coffer.example.com` prints one).
 */
export const MANIFEST_PLACEHOLDER_ORIGIN = "https://localhost:3000";

/** Checks that `url` is an https origin without path, query or fragment, and returns it normalised. */
export function toHttpsOrigin(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "https:") throw new Error(`Outlook only loads add-ins over https: ${url}`);
  if ((parsed.pathname !== "/" && parsed.pathname !== "") || parsed.search || parsed.hash) {
    throw new Error(`The portal must be served at the root of its host, without a path: ${url}`);
  }
  return parsed.origin;
}

/** Replaces the placeholder origin in every URL of the manifest with `origin`. */
export function rewriteManifestOrigin(xml: string, origin: string): string {
  return xml.replaceAll(MANIFEST_PLACEHOLDER_ORIGIN, toHttpsOrigin(origin));
}
