import type { Metadata } from "next";
import Link from "next/link";
import { ACTION_PRIMARY, ACTION_SECONDARY, MessagePage } from "@/modules/shell/components/message-page";

export const metadata: Metadata = { title: "Page not found" };

export default function NotFound() {
  return (
    <MessagePage
      code="404"
      title="Page not found"
      actions={
        <>
          <Link className={ACTION_PRIMARY} href="/">
            Go to the overview
          </Link>
          <Link className={ACTION_SECONDARY} href="/status">
            System status
          </Link>
        </>
      }
    >
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
    </MessagePage>
  );
}
