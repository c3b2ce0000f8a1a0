import Link from "next/link";
import type { TPrincipal } from "@/lib/auth/identity";
import { ACTION_PRIMARY } from "@/modules/shell/components/message-page";
import { SignInButton } from "./sign-in-button";
import { SignOutButton } from "./sign-out-button";

/** Auth.js error codes (pages.error) in words a reader can act on. */
const ERRORS: Record<string, string> = {
  AccessDenied:
    "Your account could not be signed in to Coffer. Ask your administrator to check that it belongs to this organisation.",
  Configuration:
    "Sign-in is not set up correctly on this server. Your administrator can find the reason in the portal's log.",
  Verification: "The sign-in link has expired. Start again.",
};

export function SignInPage({
  principal,
  problems,
  error,
  redirectTo,
}: {
  principal: TPrincipal | null;
  problems: string[];
  error: string | undefined;
  redirectTo: string;
}) {
  return (
    <div className="mx-auto max-w-xl px-4 py-16 sm:px-6">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">Sign in</h1>
      {problems.length > 0 ? (
        <div className="mt-6 rounded-md border border-amber-300 bg-amber-50 p-4 text-amber-900" role="alert">
          <p className="font-medium">Sign-in is not configured on this server yet.</p>
          <ul className="mt-2 list-disc pl-5 text-sm">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : principal ? (
        <div className="mt-6 space-y-4 text-slate-700">
          <p>
            You are signed in as <strong className="text-slate-900">{principal.name}</strong> ({principal.upn}
            ).
          </p>
          <div className="flex flex-wrap gap-3">
            <Link className={ACTION_PRIMARY} href="/archive">
              Open the archive
            </Link>
            <SignOutButton />
          </div>
        </div>
      ) : (
        <div className="mt-6 space-y-6 text-slate-700">
          {error ? (
            <p className="rounded-md border border-red-300 bg-red-50 p-4 text-red-900" role="alert">
              {ERRORS[error] ??
                "Signing in did not work. Try again; if it keeps failing, tell your administrator."}
            </p>
          ) : null}
          <p>
            Coffer uses your organisation&apos;s Microsoft account. You will see your own mailbox&apos;s
            archive and the mailboxes you are a delegate of.
          </p>
          <SignInButton redirectTo={redirectTo} />
        </div>
      )}
    </div>
  );
}
