import "server-only";
import { appendAudit } from "@coffer/db/audit/audit-log";
import type { JsonObject } from "@coffer/db/schema";
import type { TPrincipal } from "@/lib/auth/identity";
import type { TMailboxAccess } from "@/lib/authz/policy";
import { db } from "@/lib/db";
import { requestMeta } from "@/lib/request-meta";

/**
 * Reads of someone's content that the audit log records (mail, and calendar, contacts, tasks, notes): who
 * (UPN and Entra object id), what (action, mailbox, item id, version, content address, the snapshot time), when (the row's time), and from where
 * (address and user agent). Written before the content is sent: a read that cannot be audited fails.
 */
export type TReadAction =
  | "message.view"
  | "message.body"
  | "message.headers"
  | "message.eml_download"
  | "message.attachment_download"
  | "calendar.view"
  | "calendar.event_view"
  | "calendar.ics_download"
  | "contacts.view"
  | "contacts.vcf_download"
  | "tasks.view"
  | "tasks.attachment_download"
  | "notes.view";

export async function auditRead(
  principal: TPrincipal,
  access: TMailboxAccess,
  action: TReadAction,
  target: string,
  detail: JsonObject = {},
): Promise<void> {
  const meta = await requestMeta();
  await appendAudit(db(), {
    actorUpn: principal.upn,
    actorEntraId: principal.oid,
    action,
    mailboxId: access.mailbox.id,
    target,
    detail: { ...detail, via: access.via },
    ip: meta.ip,
    userAgent: meta.userAgent,
  });
}
