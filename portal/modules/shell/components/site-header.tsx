import Link from "next/link";
import { currentPrincipal } from "@/lib/auth/session";
import { SignOutButton } from "@/modules/auth/components/sign-out-button";
import { navItemsFor } from "../nav-items";
import { CofferMark } from "./coffer-mark";
import { NavLink } from "./nav-link";

export async function SiteHeader() {
  const principal = await currentPrincipal().catch(() => null);
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3 sm:px-6">
        <Link href="/" className="flex items-center gap-2 rounded-md text-lg font-semibold text-slate-900">
          <CofferMark className="h-8 w-8" />
          <span>Coffer</span>
        </Link>
        <nav aria-label="Main">
          <ul className="flex flex-wrap items-center gap-1 text-sm">
            {navItemsFor(principal).map((item) => (
              <li key={item.href}>
                <NavLink href={item.href}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="flex items-center gap-3 text-sm">
          {principal ? (
            <>
              <span className="text-slate-700">
                <span className="sr-only">Signed in as </span>
                <span className="font-medium text-slate-900">{principal.name}</span>
                {principal.isAdmin ? (
                  <span className="ml-2 rounded bg-brand-50 px-1.5 py-0.5 text-xs font-semibold text-brand-800">
                    Admin
                  </span>
                ) : null}
              </span>
              <SignOutButton />
            </>
          ) : (
            <Link
              href="/signin"
              className="rounded-md bg-brand-800 px-3 py-1.5 font-medium text-white hover:bg-brand-900"
            >
              Sign in
            </Link>
          )}
        </div>
      </div>
    </header>
  );
}
