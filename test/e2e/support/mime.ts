/**
 * Hand-built RFC 5322 messages for the e2e tenant: every byte is fixed by the arguments (no random
 * boundaries or ids), so the tenant is the same on every run and the EML download can be compared with
 * what the simulator stores.
 */
export type TMimeAttachment = { name: string; contentType: string; content: Buffer; inlineCid?: string };

export type TMimeMessage = {
  from: string;
  to: string[];
  cc?: string[];
  subject: string;
  date: Date;
  messageId: string;
  text?: string;
  html?: string;
  attachments?: TMimeAttachment[];
  extraHeaders?: Record<string, string>;
};

function encodeWord(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;
}

function base64Lines(buf: Buffer): string {
  return (buf.toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
}

function rfc2822Date(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

function part(contentType: string, body: string): string {
  return `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(
    Buffer.from(body, "utf8"),
  )}\r\n`;
}

function attachmentPart(a: TMimeAttachment): string {
  const ascii = a.name.replace(/[^\x20-\x7e]/g, "_");
  const star = `filename*=UTF-8''${encodeURIComponent(a.name)}`;
  const disposition = a.inlineCid ? "inline" : "attachment";
  const cid = a.inlineCid ? `Content-ID: <${a.inlineCid}>\r\n` : "";
  return `Content-Type: ${a.contentType}; name="${ascii}"\r\nContent-Transfer-Encoding: base64\r\n${cid}Content-Disposition: ${disposition}; filename="${ascii}"; ${star}\r\n\r\n${base64Lines(a.content)}\r\n`;
}

export function buildMime(m: TMimeMessage, boundarySeed: string): string {
  const headers = [
    `From: ${m.from}`,
    `To: ${m.to.join(", ")}`,
    ...(m.cc?.length ? [`Cc: ${m.cc.join(", ")}`] : []),
    `Subject: ${encodeWord(m.subject)}`,
    `Date: ${rfc2822Date(m.date)}`,
    `Message-ID: <${m.messageId}>`,
    "MIME-Version: 1.0",
    ...Object.entries(m.extraHeaders ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const b1 = `=_alt_${boundarySeed}`;
  const b2 = `=_mix_${boundarySeed}`;
  let body: string;
  let contentType: string;
  const textual =
    m.html && m.text
      ? {
          type: `multipart/alternative; boundary="${b1}"`,
          body: `--${b1}\r\n${part("text/plain", m.text)}--${b1}\r\n${part("text/html", m.html)}--${b1}--\r\n`,
        }
      : m.html
        ? { type: "text/html", body: "" }
        : { type: "text/plain", body: "" };
  if (m.attachments?.length) {
    const first =
      textual.body !== ""
        ? `Content-Type: ${textual.type}\r\n\r\n${textual.body}`
        : part(textual.type, m.html ?? m.text ?? "");
    contentType = `multipart/mixed; boundary="${b2}"`;
    body = `--${b2}\r\n${first}${m.attachments.map((a) => `--${b2}\r\n${attachmentPart(a)}`).join("")}--${b2}--\r\n`;
    return `${headers.join("\r\n")}\r\nContent-Type: ${contentType}\r\n\r\n${body}`;
  }
  if (textual.body !== "")
    return `${headers.join("\r\n")}\r\nContent-Type: ${textual.type}\r\n\r\n${textual.body}`;
  return `${headers.join("\r\n")}\r\n${part(textual.type, m.html ?? m.text ?? "")}`;
}
