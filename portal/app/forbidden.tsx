import type { Metadata } from "next";
import Link from "next/link";
import { MESSAGES } from "@/lib/errors";
import { ACTION_PRIMARY, MessagePage } from "@/modules/shell/components/message-page";

export const metadata: Metadata = { title: "Not permitted" };

/** 403: shown by forbidden() (lib/authz/guard.ts): the reader may see the mailbox, but not this part of it. */
export default function Forbidden() {
  return (
    <MessagePage
      code="403"
      title="You do not have permission to see this"
      actions={
        <Link className={ACTION_PRIMARY} href="/archive">
          Back to the archive
        </Link>
      }
    >
      <p>{MESSAGES.contentView}</p>
      <p className="mt-3 text-base text-slate-600">
        An administrator of your organisation can grant it in Microsoft Entra ID (the app role or group
        configured as COFFER_CONTENT_VIEW_ROLES or COFFER_CONTENT_VIEW_GROUP_IDS).
      </p>
    </MessagePage>
  );
}
