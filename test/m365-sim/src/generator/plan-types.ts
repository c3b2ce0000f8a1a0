import type { Lang } from "./bodies";
import type { Fixture } from "./fixtures";
import type { Correspondent, Special } from "./mail-context";

/** What message i of a mailbox is, before any MIME is built (see mail-plan.ts). */

export type Category = "internal" | "external" | "newsletter" | "notification" | "spam" | "invite";
export type AttachmentType = "pdf" | "docx" | "xlsx" | "png" | "csv" | "zip" | "ics" | "eml";
export type Payload =
  | "plain"
  | "html"
  | "html-logo"
  | "attachments"
  | "forward-attached"
  | "forward-inline"
  | "invite"
  | "invite-reply"
  | "invite-update"
  | "newsletter"
  | "notification"
  | "spam"
  | "sanitizer"
  | "large"
  | "huge";

export interface AttachmentSpec {
  type: AttachmentType;
  name: string;
  size: number;
}

interface PlanBase {
  index: number;
  folderPath: string;
  receivedMs: number;
  isRead: boolean;
}

export interface FixturePlan extends PlanBase {
  type: "fixture";
  fixture: Fixture;
}

export interface ComposedPlan extends PlanBase {
  type: "composed";
  payload: Payload;
  category: Category | "special";
  sentMs: number;
  from: Correspondent;
  to: Correspondent[];
  cc: Correspondent[];
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references: string[];
  lang: Lang;
  threadStart: number;
  position: number;
  attachments: AttachmentSpec[];
  /** Invitations: the meeting this message is about. */
  meeting?: { startMs: number; endMs: number; uid: string; location: string; sequence: number };
  special?: Special;
}

export type MessagePlan = FixturePlan | ComposedPlan;
