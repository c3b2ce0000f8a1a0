import type { MailComposerAttachment, MailComposerOptions } from "nodemailer/lib/mail-composer";
import { makeArchive, makeCsv, makeDocx, makePdf, makePng, makeXlsx } from "./attachment-files";
import {
  htmlFromText,
  NOTIFICATIONS,
  newsletterHtml,
  newsletterText,
  type Signature,
  sanitizerTestHtml,
  textBody,
} from "./bodies";
import { buildIcs } from "./calendar-ics";
import { DAY, rfc5322Date } from "./dates";
import { composePieces } from "./fast-mime";
import type { Correspondent, MailboxContext } from "./mail-context";
import { type AttachmentSpec, type ComposedPlan, planMessage } from "./mail-plan";
import { Memo } from "./memo";
import { piecesToBuffer } from "./mime-serialize";
import { hashKey, type KeyPart, rngFor } from "./random";

/** MailComposer options for a planned message: headers, bodies and attachments, all seeded. */

function address(c: Correspondent) {
  return { name: c.name, address: c.address };
}

function signatureOf(c: Correspondent): Signature {
  const digits = hashKey(["phone", c.address]).readUInt32LE(0) % 10_000_000;
  return {
    name: c.name,
    ...(c.title ? { title: c.title } : {}),
    company: c.company,
    phone: `+${c.isInternal ? "44 20" : "49 89"} ${String(digits).padStart(7, "0")}`,
  };
}

function firstNameOf(c: Correspondent | undefined): string {
  return c?.firstName || c?.name.split(" ")[0] || "team";
}

/** Text of a conversation message without the quote; replies quote their predecessor with it. */
function conversationText(ctx: MailboxContext, plan: ComposedPlan, withQuote: boolean): string {
  const rng = rngFor(ctx.seed, ctx.upn, "body", plan.index);
  let quote: { header: string; text: string } | undefined;
  if (withQuote && plan.position > 0) {
    const previous = planMessage(ctx, plan.index - 1);
    if (previous.type === "composed") {
      quote = {
        header: [
          `From: ${previous.from.name} <${previous.from.address}>`,
          `Sent: ${new Date(previous.sentMs).toUTCString()}`,
          `To: ${previous.to.map((t) => t.name).join("; ")}`,
          `Subject: ${previous.subject}`,
        ].join("\r\n"),
        text: conversationText(ctx, previous, false).trimEnd(),
      };
    }
  }
  return textBody(rng, plan.lang, firstNameOf(plan.to[0]), signatureOf(plan.from), quote);
}

/** Logo pictures by company: the same bytes every time, built once (a tenth of all messages embed one). */
const logos = new Memo<string, Buffer>(64);

function logoFor(c: Correspondent, key: readonly KeyPart[]): MailComposerAttachment {
  // The same sender always embeds the same logo bytes, as signatures do in real mailboxes
  const hex = hashKey(["cid", ...key])
    .toString("hex")
    .toUpperCase();
  return {
    cid: `image001.png@01DB${hex.slice(0, 4)}.${hex.slice(4, 12)}`,
    filename: "image001.png",
    contentType: "image/png",
    content: logos.get(c.company, () => makePng(2600, ["logo", c.company], 96)),
  };
}

function innerMessage(ctx: MailboxContext, key: readonly KeyPart[]): Buffer {
  const rng = rngFor(ctx.seed, ctx.upn, "inner", ...key);
  const from = rng.pick(ctx.externals);
  const sentMs = Date.parse("2026-09-15T08:00:00Z") + rng.int(0, 30) * DAY;
  return piecesToBuffer(
    composePieces({
      from: address(from),
      to: address(ctx.owner),
      subject: rng.pick(["Delivery note 4471", "Ihre Anfrage vom Montag", "Re: Échantillons"]),
      date: rfc5322Date(sentMs, from.utcOffset),
      messageId: `<${hashKey(["inner", ctx.seed, ctx.upn, ...key])
        .toString("hex")
        .slice(0, 24)}@mail.${from.address.split("@")[1]}>`,
      baseBoundary: hashKey(["inner-boundary", ctx.seed, ctx.upn, ...key])
        .toString("hex")
        .slice(0, 16),
      text: textBody(rng, "en", firstNameOf(ctx.owner), signatureOf(from)),
    }),
  );
}

export function attachmentFor(
  ctx: MailboxContext,
  plan: ComposedPlan,
  spec: AttachmentSpec,
  k: number,
): MailComposerAttachment {
  const key = [ctx.seed, ctx.upn, plan.index, k];
  const rng = rngFor("attachment", ...key);
  const title = plan.subject;
  switch (spec.type) {
    case "pdf":
      return {
        filename: spec.name,
        content: makePdf([title, `${ctx.company} - confidential`, "Page 1 of 1"], spec.size, key),
      };
    case "docx":
      return {
        filename: spec.name,
        content: makeDocx(
          [title, ...conversationText(ctx, plan, false).split("\r\n").filter(Boolean)],
          spec.size,
          key,
        ),
      };
    case "xlsx":
      return {
        filename: spec.name,
        content: makeXlsx(
          [
            ["Month", "Region", "Revenue (€)"],
            ...Array.from({ length: 12 }, (_, m) => [
              `2026-${String(m + 1).padStart(2, "0")}`,
              rng.pick(["EMEA", "APAC", "AMER"]),
              rng.int(10_000, 250_000),
            ]),
          ],
          spec.size,
          key,
        ),
      };
    case "png":
      return { filename: spec.name, content: makePng(spec.size, key), contentType: "image/png" };
    case "csv":
      return {
        filename: spec.name,
        content: makeCsv(rng, spec.size),
        contentType: "text/csv; charset=utf-8",
      };
    case "zip":
      return {
        filename: spec.name,
        content: makeArchive(rng, spec.size, key),
        contentType: "application/zip",
      };
    case "ics": {
      const startMs = plan.sentMs + rng.int(1, 20) * DAY;
      return {
        filename: spec.name,
        contentType: "text/calendar; charset=utf-8",
        content: buildIcs({
          method: "PUBLISH",
          uid: hashKey(["ics", ...key])
            .toString("hex")
            .slice(0, 32),
          summary: "Team-Termin: Planung Q1",
          organizer: address(plan.from),
          attendees: [],
          startMs: startMs - (startMs % (DAY / 24)),
          endMs: startMs - (startMs % (DAY / 24)) + DAY / 24,
          stampMs: plan.sentMs,
          location: "Besprechungsraum Süd",
        }),
      };
    }
    case "eml":
      // nodemailer makes message/rfc822 parts inline by default; Outlook attaches them
      return {
        filename: spec.name,
        contentType: "message/rfc822",
        contentDisposition: "attachment",
        content: innerMessage(ctx, key),
      };
  }
}

function inviteIcs(
  plan: ComposedPlan,
  method: "REQUEST" | "REPLY",
  partstat?: "ACCEPTED" | "TENTATIVE" | "DECLINED",
) {
  const meeting = plan.meeting!;
  const organizer = method === "REPLY" ? plan.to[0]! : plan.from;
  const attendees =
    method === "REPLY" ? [{ ...address(plan.from), partstat: partstat! }] : plan.to.map(address);
  return buildIcs({
    method,
    uid: meeting.uid,
    summary: plan.subject.replace(/^(Updated|Accepted|Tentative|Declined): /, ""),
    organizer: address(organizer),
    attendees,
    startMs: meeting.startMs,
    endMs: meeting.endMs,
    stampMs: plan.sentMs,
    location: meeting.location,
    sequence: meeting.sequence,
    ...(meeting.location.includes("Teams")
      ? {
          description: `Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_${meeting.uid.slice(0, 12)}%40thread.v2/0`,
        }
      : {}),
  });
}

export function composeOptions(ctx: MailboxContext, plan: ComposedPlan): MailComposerOptions {
  const hash = hashKey([ctx.seed, ctx.upn, "mime", plan.index]).toString("hex");
  const options: MailComposerOptions = {
    from: address(plan.from),
    to: plan.to.map(address),
    ...(plan.cc.length > 0 ? { cc: plan.cc.map(address) } : {}),
    subject: plan.subject,
    messageId: plan.messageId,
    date: rfc5322Date(plan.sentMs, plan.from.utcOffset),
    ...(plan.inReplyTo ? { inReplyTo: plan.inReplyTo, references: plan.references } : {}),
    // Fixed boundaries: MailComposer would otherwise draw them from crypto.randomBytes
    baseBoundary: hash.slice(0, 16),
    headers: {},
  };
  const headers = options.headers as Record<string, string>;
  if (plan.from.isInternal && plan.category !== "notification") {
    headers["Thread-Topic"] = plan.subject.replace(
      /^((Re|AW|Fwd|WG|Updated|Accepted|Tentative|Declined): )+/,
      "",
    );
  }
  switch (plan.payload) {
    case "plain":
      options.text = conversationText(ctx, plan, true);
      break;
    case "html":
    case "attachments": {
      const text = conversationText(ctx, plan, true);
      options.text = text;
      options.html = htmlFromText(text);
      options.attachments = plan.attachments.map((spec, k) => attachmentFor(ctx, plan, spec, k));
      break;
    }
    case "html-logo": {
      const logo = logoFor(plan.from, [plan.from.company]);
      const text = conversationText(ctx, plan, true);
      options.text = text;
      options.html = htmlFromText(text, logo.cid);
      options.attachments = [logo];
      break;
    }
    case "forward-attached":
    case "forward-inline": {
      const previous = planMessage(ctx, plan.index - 1);
      const intro = `${plan.lang === "de" ? "Zur Info, siehe unten." : "FYI – see below."}\r\n\r\n${plan.from.name}\r\n`;
      if (previous.type !== "composed") {
        options.text = intro;
        break;
      }
      if (plan.payload === "forward-attached") {
        options.text = intro;
        options.html = htmlFromText(intro);
        options.attachments = [
          {
            filename: `${previous.subject.replace(/[\\/:*?"<>|]/g, "_")}.eml`,
            contentType: "message/rfc822",
            contentDisposition: "attachment",
            content: piecesToBuffer(composePieces(composeOptions(ctx, previous))),
          },
        ];
      } else {
        const forwarded = [
          "---------- Forwarded message ---------",
          `From: ${previous.from.name} <${previous.from.address}>`,
          `Date: ${new Date(previous.sentMs).toUTCString()}`,
          `Subject: ${previous.subject}`,
          `To: ${previous.to.map((t) => `${t.name} <${t.address}>`).join(", ")}`,
          "",
          conversationText(ctx, previous, false),
        ].join("\r\n");
        options.text = `${intro}\r\n${forwarded}`;
        options.html = htmlFromText(options.text);
      }
      break;
    }
    case "invite":
    case "invite-update": {
      const when = new Date(plan.meeting!.startMs).toUTCString();
      options.text = `${plan.from.name} invited you to "${plan.subject.replace(/^Updated: /, "")}" on ${when} (${plan.meeting!.location}).\r\n`;
      options.html = htmlFromText(options.text);
      options.icalEvent = { method: "REQUEST", filename: "invite.ics", content: inviteIcs(plan, "REQUEST") };
      break;
    }
    case "invite-reply": {
      const answer = plan.subject.split(":")[0]!.toUpperCase();
      const partstat = answer === "ACCEPTED" ? "ACCEPTED" : answer === "TENTATIVE" ? "TENTATIVE" : "DECLINED";
      options.text = `${plan.from.name} has ${answer.toLowerCase()} this meeting.\r\n`;
      options.icalEvent = {
        method: "REPLY",
        filename: "reply.ics",
        content: inviteIcs(plan, "REPLY", partstat),
      };
      break;
    }
    case "newsletter": {
      const domain = plan.from.address.split("@")[1]!.replace(/^mail\./, "");
      const trackingId = hash.slice(16, 32);
      const issue = 100 + (plan.index % 400);
      options.text = newsletterText(plan.from.name, domain, trackingId, issue);
      options.html = newsletterHtml(plan.from.name, domain, trackingId, issue);
      headers["List-Unsubscribe"] =
        `<https://www.${domain}/unsubscribe?id=${trackingId}>, <mailto:unsubscribe@${domain}?subject=${trackingId}>`;
      headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
      headers["List-Id"] = `<newsletter.${domain}>`;
      headers.Precedence = "bulk";
      break;
    }
    case "notification": {
      const notification =
        NOTIFICATIONS.find((n) => plan.subject.startsWith(n.subject(0).split(/\d/)[0]!)) ?? NOTIFICATIONS[0]!;
      options.text = `${notification.text}\r\n\r\n-- \r\nThis is an automated message from ${plan.from.name}. Please do not reply.\r\n`;
      headers["Auto-Submitted"] = "auto-generated";
      break;
    }
    case "spam": {
      const domain = plan.from.address.split("@")[1]!;
      options.html = `<html><body><center><a href="https://${domain}/claim?id=${hash.slice(0, 10)}"><img src="https://${domain}/img/banner.jpg" width="500"></a><p style="font-size:20px">${plan.subject}</p><p>Click <a href="https://${domain}/claim">here</a> now!</p></center></body></html>`;
      options.text = `${plan.subject}\r\nhttps://${domain}/claim\r\n`;
      break;
    }
    case "sanitizer":
      options.html = sanitizerTestHtml(plan.from.address.split("@")[1]!);
      break;
    case "large": {
      const text = conversationText(ctx, plan, false);
      options.text = text;
      options.html = htmlFromText(text);
      options.attachments = plan.attachments.map((spec, k) => attachmentFor(ctx, plan, spec, k));
      break;
    }
    case "huge":
      throw new Error("the huge benchmark message is built by huge-message.ts");
  }
  if (isHighImportance(ctx, plan)) options.headers = { ...headers, Importance: "high", "X-Priority": "1" };
  return options;
}

/** One message in fifty is sent with high importance (`Importance: high`, `X-Priority: 1`). */
export function isHighImportance(ctx: MailboxContext, plan: ComposedPlan): boolean {
  return plan.payload !== "huge" && rngFor(ctx.seed, ctx.upn, "compose", plan.index).chance(0.02);
}
