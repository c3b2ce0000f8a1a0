import type { Metadata } from "next";
import { currentPrincipal } from "@/lib/auth/session";
import { authEnvStatus } from "@/lib/env";
import { SignInPage } from "@/modules/auth/components/sign-in-page";
import { safeRedirectTarget } from "@/modules/auth/lib/redirect-target";

export const metadata: Metadata = { title: "Sign in" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const first = (k: string) => (Array.isArray(params[k]) ? params[k][0] : params[k]);
  const status = authEnvStatus();
  return (
    <SignInPage
      principal={await currentPrincipal()}
      problems={status.ok ? [] : status.problems}
      error={first("error")}
      redirectTo={safeRedirectTarget(first("callbackUrl") ?? first("redirectTo"))}
    />
  );
}
