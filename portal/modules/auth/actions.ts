"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { signIn, signOut } from "@/lib/auth/options";
import { authEnvStatus } from "@/lib/env";
import { safeRedirectTarget } from "./lib/redirect-target";

/**
 * Sign-in and sign-out: the portal's only server actions. Neither needs authorization (anyone may start a
 * sign-in; signing out ends only the caller's own session); both parse their input.
 */

/** Starts the Entra ID sign-in; the browser comes back to `redirectTo` (a path on this portal). */
export async function signInAction(formData: FormData): Promise<void> {
  const redirectTo = safeRedirectTarget(formData.get("redirectTo"));
  if (!authEnvStatus().ok) redirect("/signin");
  await signIn("microsoft-entra-id", { redirectTo });
}

/**
 * Ends the portal session (deletes the session cookie), then the Entra session too, so the next person at
 * this browser is asked for a password again; Entra sends the browser back to /signed-out.
 */
export async function signOutAction(): Promise<void> {
  await signOut({ redirect: false });
  const status = authEnvStatus();
  if (!status.ok) redirect("/signed-out");
  const h = await headers();
  const proto = h.get("x-forwarded-proto") === "https" ? "https" : "http";
  const host = h.get("x-forwarded-host") ?? h.get("host");
  const back = host ? `${proto}://${host}/signed-out` : undefined;
  const logout = new URL(`${status.env.M365_AUTHORITY}/oauth2/v2.0/logout`);
  if (back) logout.searchParams.set("post_logout_redirect_uri", back);
  redirect(logout.toString());
}
