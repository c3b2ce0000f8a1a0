/** iCalendar (RFC 5545) text for meeting invitations, replies and .ics attachments. */

export interface IcsPerson {
  name: string;
  address: string;
}

export interface IcsEvent {
  method: "REQUEST" | "REPLY" | "PUBLISH" | "CANCEL";
  uid: string;
  summary: string;
  organizer: IcsPerson;
  attendees: (IcsPerson & { partstat?: "NEEDS-ACTION" | "ACCEPTED" | "TENTATIVE" | "DECLINED" })[];
  startMs: number;
  endMs: number;
  stampMs: number;
  location?: string;
  description?: string;
  sequence?: number;
}

function utcStamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function escapeText(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

function quoteParam(value: string): string {
  return `"${value.replace(/"/g, "'")}"`;
}

/** Folds at 75 octets without splitting a UTF-8 sequence (RFC 5545 §3.1). */
function fold(line: string): string {
  const out: string[] = [];
  let current = "";
  let bytes = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (bytes + size > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = "";
      bytes = 0;
    }
    current += char;
    bytes += size;
  }
  out.push(current);
  return out.join("\r\n ");
}

export function buildIcs(event: IcsEvent): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "PRODID:-//Coffer//Demo tenant generator//EN",
    "VERSION:2.0",
    `METHOD:${event.method}`,
    "BEGIN:VEVENT",
    `UID:${event.uid}`,
    `DTSTAMP:${utcStamp(event.stampMs)}`,
    `DTSTART:${utcStamp(event.startMs)}`,
    `DTEND:${utcStamp(event.endMs)}`,
    `SEQUENCE:${event.sequence ?? 0}`,
    `SUMMARY:${escapeText(event.summary)}`,
    `ORGANIZER;CN=${quoteParam(event.organizer.name)}:mailto:${event.organizer.address}`,
    ...event.attendees.map(
      (a) =>
        `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=${a.partstat ?? "NEEDS-ACTION"};RSVP=TRUE;CN=${quoteParam(a.name)}:mailto:${a.address}`,
    ),
    ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
    ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    `STATUS:${event.method === "CANCEL" ? "CANCELLED" : "CONFIRMED"}`,
    "TRANSP:OPAQUE",
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return `${lines.map(fold).join("\r\n")}\r\n`;
}
