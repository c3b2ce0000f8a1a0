import { isHighImportance } from "./compose-message";
import { isoUtc } from "./dates";
import type { Correspondent, MailboxContext } from "./mail-context";
import { type ComposedPlan, planMessage } from "./mail-plan";
import type { GeneratedAddress, GeneratedMessageMeta } from "./types";

/**
 * What the top-level headers of a composed message say, read off its plan instead of its MIME.
 *
 * Why: the simulator needs subject, sender, Message-ID, hasAttachments… for Graph JSON (delta pages
 * over 100,000 messages ask for them), and composing the MIME costs a hundred times more than
 * planning. Every value here is the one compose-message.ts hands to MailComposer, so a parser reads
 * the same from `mime()`; `meta.test.ts` checks that over whole mailboxes of every payload kind.
 */

function address(c: Correspondent): GeneratedAddress {
  return { name: c.name, address: c.address };
}

/**
 * Whether the MIME has a part Graph lists as a (non-inline) attachment. Follows what
 * compose-message.ts builds: file attachments are `Content-Disposition: attachment`; a forwarded
 * message is attached as `message/rfc822`; an invitation carries nodemailer's `application/ics`
 * attachment beside its text/calendar alternative; the logo of `html-logo` is an inline cid image.
 */
function hasAttachments(ctx: MailboxContext, plan: ComposedPlan): boolean {
  switch (plan.payload) {
    case "attachments":
    case "large":
    case "huge":
      return plan.attachments.length > 0;
    case "forward-attached":
      // Without a composed predecessor the forward is just its introduction (compose-message.ts)
      return planMessage(ctx, plan.index - 1).type === "composed";
    case "invite":
    case "invite-update":
    case "invite-reply":
      return true;
    case "plain":
    case "html":
    case "html-logo":
    case "forward-inline":
    case "newsletter":
    case "notification":
    case "spam":
    case "sanitizer":
      return false;
  }
}

export function composedMeta(ctx: MailboxContext, plan: ComposedPlan): GeneratedMessageMeta {
  return {
    subject: plan.subject,
    from: address(plan.from),
    to: plan.to.map(address),
    cc: plan.cc.map(address),
    internetMessageId: plan.messageId,
    ...(plan.inReplyTo ? { inReplyTo: plan.inReplyTo } : {}),
    references: plan.inReplyTo ? plan.references : [],
    sentDateTime: isoUtc(plan.sentMs),
    importance: isHighImportance(ctx, plan) ? "high" : "normal",
    hasAttachments: hasAttachments(ctx, plan),
  };
}
