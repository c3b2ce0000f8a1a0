"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** A main-navigation link that marks the current page for assistive technology and sighted users. */
export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  // A section's pages mark its entry too (/archive/… marks "Archive").
  const isPage = pathname === href;
  const isCurrent = isPage || (href !== "/" && pathname.startsWith(`${href}/`));
  return (
    <Link
      href={href}
      aria-current={isPage ? "page" : isCurrent ? "true" : undefined}
      className={`block rounded-md px-3 py-2 font-medium ${
        isCurrent ? "bg-brand-50 text-brand-800" : "text-slate-700 hover:bg-slate-100 hover:text-slate-900"
      }`}
    >
      {children}
    </Link>
  );
}
