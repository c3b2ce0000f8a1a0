/**
 * Outlook-style item ids. Like Exchange's, they are opaque base64 strings that carry the mailbox GUID
 * and the item's store key, so any id can be resolved without a lookup table:
 *
 * - REST id (Graph's default): changes when the item moves to another folder (the move generation is
 *   part of it), uses `-`/`_` instead of `/`/`+` and keeps `=` padding, as real ids do.
 * - Immutable id (`Prefer: IdType="ImmutableId"`): stable across moves inside the mailbox.
 * - EWS id: the REST id in standard base64; entry ids: binary MAPI-style, base64.
 */

export const ItemKind = {
  message: 1,
  folder: 2,
  attachment: 3,
  event: 4,
  contact: 5,
  contactFolder: 6,
  calendar: 7,
  todoList: 8,
  todoTask: 9,
  checklistItem: 10,
  note: 11,
  taskAttachment: 12,
  calendarPermission: 13,
} as const;
export type ItemKindCode = (typeof ItemKind)[keyof typeof ItemKind];

export type IdFormat = "rest" | "immutable" | "ews" | "entry" | "immutableEntry";

export interface DecodedId {
  format: IdFormat;
  mailboxGuid: string;
  kind: ItemKindCode;
  key: number;
  /** Move generation; only REST, EWS and entry ids carry it. */
  gen?: number;
  /** Sub-index (attachments: position within the parent item). */
  sub?: number;
}

const PREFIX = {
  rest: [0x00, 0x03, 0x24, 0x00],
  immutable: [0x00, 0x09, 0x00, 0x2e],
  entry: [0x00, 0x00, 0x00, 0x00, 0xee],
  immutableEntry: [0x00, 0x00, 0x00, 0x00, 0xef],
} as const;

function guidBytes(guid: string): Buffer {
  return Buffer.from(guid.replace(/-/g, ""), "hex");
}

function guidString(b: Buffer): string {
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}

const toRest = (b64: string) => b64.replace(/\//g, "-").replace(/\+/g, "_");
const fromAny = (s: string) => Buffer.from(s.replace(/-/g, "/").replace(/_/g, "+"), "base64");

export interface IdParts {
  mailboxGuid: string;
  kind: ItemKindCode;
  key: number;
  gen: number;
  sub?: number;
}

export function encodeId(p: IdParts, format: IdFormat): string {
  const tail = p.sub === undefined ? [] : [u16(p.sub)];
  const kind = Buffer.from([p.kind]);
  const mbx = guidBytes(p.mailboxGuid);
  switch (format) {
    case "rest":
      return toRest(
        Buffer.concat([Buffer.from(PREFIX.rest), mbx, kind, u32(p.key), u32(p.gen), ...tail]).toString(
          "base64",
        ),
      );
    case "ews":
      return Buffer.concat([Buffer.from(PREFIX.rest), mbx, kind, u32(p.key), u32(p.gen), ...tail]).toString(
        "base64",
      );
    case "immutable":
      return toRest(
        Buffer.concat([Buffer.from(PREFIX.immutable), mbx, kind, u32(p.key), ...tail]).toString("base64"),
      );
    case "entry":
      return Buffer.concat([Buffer.from(PREFIX.entry), mbx, kind, u32(p.key), u32(p.gen), ...tail]).toString(
        "base64",
      );
    case "immutableEntry":
      return Buffer.concat([Buffer.from(PREFIX.immutableEntry), mbx, kind, u32(p.key), ...tail]).toString(
        "base64",
      );
  }
}

function startsWith(b: Buffer, prefix: readonly number[]): boolean {
  if (b.length < prefix.length) return false;
  return prefix.every((v, i) => b[i] === v);
}

/** Decodes any of our id formats; undefined for strings that are not ids of this simulator. */
export function decodeId(id: string): DecodedId | undefined {
  if (!/^[A-Za-z0-9+/_=-]{20,}$/.test(id)) return undefined;
  const b = fromAny(id);
  let format: IdFormat;
  let off: number;
  let hasGen: boolean;
  if (startsWith(b, PREFIX.entry)) {
    format = "entry";
    off = 5;
    hasGen = true;
  } else if (startsWith(b, PREFIX.immutableEntry)) {
    format = "immutableEntry";
    off = 5;
    hasGen = false;
  } else if (startsWith(b, PREFIX.rest)) {
    format = /[+/]/.test(id) ? "ews" : "rest";
    off = 4;
    hasGen = true;
  } else if (startsWith(b, PREFIX.immutable)) {
    format = "immutable";
    off = 4;
    hasGen = false;
  } else return undefined;
  const need = off + 16 + 1 + 4 + (hasGen ? 4 : 0);
  if (b.length !== need && b.length !== need + 2) return undefined;
  const mailboxGuid = guidString(b.subarray(off, off + 16));
  const kind = b[off + 16] as ItemKindCode;
  const key = b.readUInt32BE(off + 17);
  const gen = hasGen ? b.readUInt32BE(off + 21) : undefined;
  const sub = b.length === need + 2 ? b.readUInt16BE(need) : undefined;
  const out: DecodedId = { format, mailboxGuid, kind, key };
  if (gen !== undefined) out.gen = gen;
  if (sub !== undefined) out.sub = sub;
  return out;
}

/** Graph id format for responses: immutable when the request asked for it. */
export function responseFormat(preferImmutable: boolean): IdFormat {
  return preferImmutable ? "immutable" : "rest";
}
