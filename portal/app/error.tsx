"use client";

import Link from "next/link";
import { useEffect } from "react";
import { ACTION_PRIMARY, ACTION_SECONDARY, MessagePage } from "@/modules/shell/components/message-page";

/**
 * Shown when a page fails while rendering. In production Next replaces server error messages with a
 * digest (so nothing internal leaks); we show the digest so a user can quote it and an operator can find
 * the matching line in the server log.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <MessagePage
      code="Error"
      title="Something went wrong"
      actions={
        <>
          <button type="button" className={ACTION_PRIMARY} onClick={() => retry()}>
            Try again
          </button>
          <Link className={ACTION_SECONDARY} href="/">
            Go to the overview
          </Link>
        </>
      }
    >
      <p>
        This page could not be shown. Trying again often helps; if it keeps failing, tell your administrator.
      </p>
      {digest ? (
        <p className="mt-3 text-sm text-slate-600">
          Reference for your administrator: <code className="font-mono">{digest}</code>
        </p>
      ) : null}
    </MessagePage>
  );
}
