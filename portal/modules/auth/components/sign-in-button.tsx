import { signInAction } from "../actions";

/** A form that starts the Entra ID sign-in and comes back to `redirectTo`. Works without JavaScript. */
export function SignInButton({
  redirectTo,
  label = "Sign in with Microsoft",
}: {
  redirectTo: string;
  label?: string;
}) {
  return (
    <form action={signInAction}>
      <input type="hidden" name="redirectTo" value={redirectTo} />
      <button
        type="submit"
        className="inline-flex items-center gap-2 rounded-md bg-brand-800 px-4 py-2 text-sm font-medium text-white hover:bg-brand-900"
      >
        <MicrosoftMark />
        {label}
      </button>
    </form>
  );
}

function MicrosoftMark() {
  return (
    <svg viewBox="0 0 20 20" className="h-4 w-4" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="8.5" height="8.5" fill="#f25022" />
      <rect x="10.5" y="1" width="8.5" height="8.5" fill="#7fba00" />
      <rect x="1" y="10.5" width="8.5" height="8.5" fill="#00a4ef" />
      <rect x="10.5" y="10.5" width="8.5" height="8.5" fill="#ffb900" />
    </svg>
  );
}
