/**
 * The portal's main navigation. Only pages that exist are listed; the archive browser, search and the
 * admin console add their entries here when they arrive (and sign-in goes in the header's end slot).
 */
export type TNavItem = { href: string; label: string };

export const NAV_ITEMS: readonly TNavItem[] = [
  { href: "/", label: "Overview" },
  { href: "/status", label: "System status" },
];
