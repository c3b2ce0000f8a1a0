// Type declarations for the parts of mailparser's own building blocks that the MIME analyser uses; these
// packages ship no types of their own (mailsplit, iconv-lite, encoding-japanese and nodemailer's
// addressparser do).

declare module "libmime" {
  type TStructuredHeader = { value: string; params: Record<string, string> };
  const libmime: {
    /** Splits "Key: value" (unfolding continuation lines) without decoding encoded-words. */
    decodeHeader(headerLine: string): { key: string; value: string };
    /** Decodes RFC 2047 encoded-words (joining adjacent ones of the same charset). */
    decodeWords(str: string): string;
    parseHeaderValue(str: string): TStructuredHeader;
    /** Canonical charset name (aliases resolved, unknown ones upper-cased). */
    normalizeCharset(charset: string): string;
    /** Content type for a file name or extension; application/octet-stream when unknown. */
    detectMimeType(filenameOrExtension: string): string;
    /** RFC 3676 format=flowed unwrapping of a (binary) string. */
    decodeFlowed(str: string, delSp?: boolean): string;
  };
  export default libmime;
}

declare module "punycode.js" {
  const punycode: { toUnicode(domain: string): string };
  export default punycode;
}
