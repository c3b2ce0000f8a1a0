/**
 * The portal's main navigation. Entries appear for the people who can use them; the server checks access
 * on every page regardless (lib/authz/guard.ts), so hiding a link is convenience, not security.
 */
export type TNavItem = { href: string; label: string };

export function navItemsFor(viewer: { isAdmin: boolean } | null): TNavItem[] {
  return [
    { href: "/", label: "Overview" },
    ...(viewer ? [{ href: "/archive", label: "Archive" }] : []),
    // The admin console (Sync Overview, Exchange Services); it links to the other admin pages.
    ...(viewer?.isAdmin ? [{ href: "/admin", label: "Admin" }] : []),
    ...(viewer?.isAdmin ? [{ href: "/admin/users", label: "Users" }] : []),
    { href: "/status", label: "System status" },
  ];
}
