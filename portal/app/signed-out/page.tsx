import type { Metadata } from "next";
import Link from "next/link";
import { ACTION_PRIMARY, ACTION_SECONDARY, MessagePage } from "@/modules/shell/components/message-page";

export const metadata: Metadata = { title: "Signed out" };

export default function Page() {
  return (
    <MessagePage
      code="Signed out"
      title="You are signed out"
      actions={
        <>
          <Link className={ACTION_PRIMARY} href="/signin">
            Sign in again
          </Link>
          <Link className={ACTION_SECONDARY} href="/">
            Go to the overview
          </Link>
        </>
      }
    >
      <p>Your Coffer session and your Microsoft sign-in on this browser have ended.</p>
    </MessagePage>
  );
}
