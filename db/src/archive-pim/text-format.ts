/**
 * The content-line rules iCalendar (RFC 5545 §3.1, §3.3.11) and vCard 4.0 (RFC 6350 §3.2, §3.4) share:
 * TEXT escaping, quoted parameter values, and folding at 75 octets without splitting a UTF-8 sequence.
 */

export function escapeText(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/** A parameter value: quoted when it has `:`, `;` or `,`; DQUOTE and controls are not allowed in it. */
export function paramValue(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = s.replace(/["\u0000-\u001f\u007f]/g, "");
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

/** Folds one content line into CRLF-terminated physical lines of at most 75 octets. */
export function foldLine(line: string): string {
  const bytes = Buffer.from(line, "utf8");
  if (bytes.length <= 75) return `${line}\r\n`;
  const out: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // Never cut inside a multi-byte UTF-8 sequence (continuation bytes are 10xxxxxx).
    while (end < bytes.length && end > start && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    out.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
    limit = 74; // continuation lines start with a space
  }
  return `${out.join("\r\n ")}\r\n`;
}

export type TProp = { name: string; params?: Array<[string, string]>; value: string };

export function contentLine(p: TProp): string {
  const params = (p.params ?? []).map(([k, v]) => `;${k}=${v}`).join("");
  return foldLine(`${p.name}${params}:${p.value}`);
}
