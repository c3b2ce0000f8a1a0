import type { Metadata } from "next";
import { headers } from "next/headers";
import { SignInButton } from "@/modules/auth/components/sign-in-button";
import { safeRedirectTarget } from "@/modules/auth/lib/redirect-target";
import { MessagePage } from "@/modules/shell/components/message-page";

export const metadata: Metadata = { title: "Sign in to continue" };

/** 401: shown by unauthorized() (lib/authz/guard.ts) when a page needs a signed-in reader. */
export default async function Unauthorized() {
  // proxy.ts passes the requested path, so signing in leads back to it.
  const back = safeRedirectTarget((await headers()).get("x-coffer-path"));
  return (
    <MessagePage code="401" title="Sign in to continue" actions={<SignInButton redirectTo={back} />}>
      <p>This page shows archived mail, so Coffer needs to know who you are first.</p>
    </MessagePage>
  );
}
