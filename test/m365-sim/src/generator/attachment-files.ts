import { crc32 } from "node:zlib";
import { ByteStream, type KeyPart, type Rng } from "./random";

/**
 * Attachment payloads: small but valid files (PNG, PDF, OOXML and plain ZIP) whose size is made up
 * with deterministic pseudo-random bytes where the format allows it. Nothing binary is committed.
 */

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

// ---------------------------------------------------------------- PNG

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  return Buffer.concat([u32be(data.length), typeAndData, u32be(crc32(typeAndData))]);
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  // Sums stay below 2^31 for 3800 bytes (zlib's NMAX trick, sized for int32 arithmetic):
  // one modulo per block instead of two per byte
  for (let start = 0; start < data.length; start += 3800) {
    const end = Math.min(start + 3800, data.length);
    for (let i = start; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib stream of stored (uncompressed) blocks: valid and the same bytes on every zlib version. */
function zlibStored(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x78, 0x01])];
  for (let offset = 0; offset < data.length || offset === 0; offset += 65535) {
    const block = data.subarray(offset, offset + 65535);
    const final = offset + 65535 >= data.length ? 1 : 0;
    parts.push(Buffer.from([final]), u16(block.length), u16(~block.length & 0xffff), block);
    if (data.length === 0) break;
  }
  parts.push(u32be(adler32(data)));
  return Buffer.concat(parts);
}

/** An RGB PNG of roughly `targetBytes`: a colour gradient with seeded noise. */
export function makePng(targetBytes: number, key: readonly KeyPart[], width = 0): Buffer {
  const w = width || Math.max(16, Math.min(640, Math.round(Math.sqrt(targetBytes / 3) * 1.5)));
  const h = Math.max(8, Math.round(targetBytes / (w * 3 + 1)));
  const stride = w * 3 + 1;
  if (stride * h > 256 * 1024) {
    // Big pictures (photos in archives, multi-MB attachments) are plain noise: a per-pixel
    // gradient would cost more time than everything else in the message
    const raw = new ByteStream(["png", ...key]).read(stride * h);
    for (let y = 0; y < h; y++) raw[y * stride] = 0;
    return pngFile(w, h, raw);
  }
  const noise = new ByteStream(["png", ...key]).read(w * h);
  const raw = Buffer.alloc(stride * h);
  for (let y = 0; y < h; y++) {
    const row = y * (w * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const n = noise[y * w + x]! >> 3;
      raw[row + 1 + x * 3] = (x * 255) / w + n;
      raw[row + 2 + x * 3] = (y * 255) / h + n;
      raw[row + 3 + x * 3] = 160 + n;
    }
  }
  return pngFile(w, h, raw);
}

function pngFile(w: number, h: number, raw: Buffer): Buffer {
  const ihdr = Buffer.concat([u32be(w), u32be(h), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", zlibStored(raw)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- PDF

function pdfText(text: string): string {
  // Standard Type1 fonts only cover Latin-1 reliably; anything else becomes '?'
  return text.replace(/[^\x20-\x7e]/g, "?").replace(/[\\()]/g, (c) => `\\${c}`);
}

/** A one-page PDF with the given lines, padded with an unreferenced binary stream to `targetBytes`. */
export function makePdf(lines: readonly string[], targetBytes: number, key: readonly KeyPart[]): Buffer {
  const text = lines.map(
    (line, i) => `BT /F1 ${i === 0 ? 18 : 11} Tf 72 ${770 - i * 22} Td (${pdfText(line)}) Tj ET`,
  );
  const content = text.join("\n");
  const objects: Buffer[] = [
    Buffer.from("<< /Type /Catalog /Pages 2 0 R >>"),
    Buffer.from("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
    Buffer.from(
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    ),
    Buffer.from(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`),
    Buffer.from("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
  ];
  const padding = Math.max(0, targetBytes - 900 - content.length);
  if (padding > 0) {
    const bytes = new ByteStream(["pdf", ...key]).read(padding);
    objects.push(
      Buffer.concat([Buffer.from(`<< /Length ${padding} >>\nstream\n`), bytes, Buffer.from("\nendstream")]),
    );
  }
  const parts: Buffer[] = [Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from("\nendobj\n")]);
    parts.push(obj);
    offset += obj.length;
  });
  const xref = [
    "xref",
    `0 ${objects.length + 1}`,
    "0000000000 65535 f ",
    ...offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n `),
    "trailer",
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    "startxref",
    String(offset),
    "%%EOF",
    "",
  ].join("\n");
  parts.push(Buffer.from(xref));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------- ZIP and OOXML

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** DOS date/time of 2026-10-01 09:30: fixed, so archives are byte-identical across runs. */
const DOS_TIME = (9 << 11) | (30 << 5);
const DOS_DATE = ((2026 - 1980) << 9) | (10 << 5) | 1;

/** A ZIP with stored (uncompressed) entries; names are UTF-8 (general purpose flag bit 11). */
export function makeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const crc = crc32(entry.data);
    const common = Buffer.concat([
      u16(20),
      u16(0x0800),
      u16(0),
      u16(DOS_TIME),
      u16(DOS_DATE),
      u32(crc),
      u32(entry.data.length),
      u32(entry.data.length),
      u16(name.length),
    ]);
    const local = Buffer.concat([u32(0x04034b50), common, u16(0), name, entry.data]);
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(20),
        common,
        u16(0),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(offset),
        name,
      ]),
    );
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(entries.length),
    u16(entries.length),
    u32(central.length),
    u32(offset),
    u16(0),
  ]);
  return Buffer.concat([...locals, central, end]);
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const REL_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";

function contentTypes(overrides: Record<string, string>): Buffer {
  const o = Object.entries(overrides)
    .map(([part, type]) => `<Override PartName="${part}" ContentType="${type}"/>`)
    .join("");
  return Buffer.from(
    `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>' +
      `${o}</Types>`,
  );
}

function rels(target: string): Buffer {
  return Buffer.from(
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="${REL_OFFICE_DOC}" Target="${target}"/></Relationships>`,
  );
}

function padding(path: string, bytes: number, key: readonly KeyPart[]): ZipEntry[] {
  return bytes > 2000 ? [{ name: path, data: makePng(bytes, [...key, "media"]) }] : [];
}

/** A minimal WordprocessingML document; big ones carry an embedded picture, as real ones do. */
export function makeDocx(
  paragraphs: readonly string[],
  targetBytes: number,
  key: readonly KeyPart[],
): Buffer {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(p)}</w:t></w:r></w:p>`);
  const document =
    `${XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
    `<w:body>${body.join("")}</w:body></w:document>`;
  return makeZip([
    {
      name: "[Content_Types].xml",
      data: contentTypes({
        "/word/document.xml":
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
      }),
    },
    { name: "_rels/.rels", data: rels("word/document.xml") },
    { name: "word/document.xml", data: Buffer.from(document) },
    ...padding("word/media/image1.png", targetBytes - 1500, key),
  ]);
}

/** A minimal SpreadsheetML workbook with one sheet of inline strings and numbers. */
export function makeXlsx(
  rows: readonly (readonly (string | number)[])[],
  targetBytes: number,
  key: readonly KeyPart[],
): Buffer {
  const col = (i: number) => String.fromCharCode(65 + i);
  const sheetRows = rows.map(
    (row, r) =>
      `<row r="${r + 1}">${row
        .map((v, c) =>
          typeof v === "number"
            ? `<c r="${col(c)}${r + 1}"><v>${v}</v></c>`
            : `<c r="${col(c)}${r + 1}" t="inlineStr"><is><t>${xmlEscape(v)}</t></is></c>`,
        )
        .join("")}</row>`,
  );
  const ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
  const nsR = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  return makeZip([
    {
      name: "[Content_Types].xml",
      data: contentTypes({
        "/xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "/xl/worksheets/sheet1.xml":
          "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
      }),
    },
    { name: "_rels/.rels", data: rels("xl/workbook.xml") },
    {
      name: "xl/workbook.xml",
      data: Buffer.from(
        `${XML}<workbook ${ns} ${nsR}><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data: Buffer.from(
        `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
      ),
    },
    {
      name: "xl/worksheets/sheet1.xml",
      data: Buffer.from(`${XML}<worksheet ${ns}><sheetData>${sheetRows.join("")}</sheetData></worksheet>`),
    },
    ...padding("xl/media/image1.png", targetBytes - 2500, key),
  ]);
}

/** CSV with a header row; grows to about `targetBytes` with more rows. */
export function makeCsv(rng: Rng, targetBytes: number): Buffer {
  const cities = ["München", "Kraków", "Reykjavík", "São Paulo", "Zürich", "北京", "Lisboa", "Dublin"];
  const lines = ["date,region,city,orders,revenue_eur"];
  let size = lines[0]!.length + 2;
  for (let day = 0; size < targetBytes; day++) {
    const line = `2026-${String(1 + (day % 10)).padStart(2, "0")}-${String(1 + (day % 28)).padStart(2, "0")},${rng.pick(["EMEA", "APAC", "AMER"])},${rng.pick(cities)},${rng.int(1, 400)},${(rng.next() * 90000).toFixed(2)}`;
    lines.push(line);
    size += Buffer.byteLength(line) + 2;
  }
  return Buffer.from(`${lines.join("\r\n")}\r\n`, "utf8");
}

/** A generic archive: a readme, a CSV and a picture to make up the size. */
export function makeArchive(rng: Rng, targetBytes: number, key: readonly KeyPart[]): Buffer {
  return makeZip([
    { name: "README.txt", data: Buffer.from("Export generated for the quarterly review.\r\n") },
    { name: "data/measurements.csv", data: makeCsv(rng, Math.min(20000, targetBytes / 4)) },
    { name: "photos/Übersicht.png", data: makePng(Math.max(1000, targetBytes * 0.75), [...key, "zip"]) },
  ]);
}
