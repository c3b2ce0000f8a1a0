import { crc32 } from "node:zlib";
import type { MailComposerOptions } from "nodemailer/lib/mail-composer";
import { rfc5322Date } from "./dates";
import { composePieces } from "./fast-mime";
import type { MailboxContext } from "./mail-context";
import type { ComposedPlan } from "./mail-plan";
import { base64EncodedLength, LazyPayload, type Piece, piecesLength } from "./mime-serialize";
import { ByteStream, hashKey } from "./random";

/**
 * The benchmark's huge message: a ZIP attachment whose bytes are generated while they are written,
 * sized so that the whole message is exactly `bytes` long. Nothing of it is held in memory except
 * the chunk being encoded (streaming) or the one output Buffer (`mime()`).
 *
 * The ZIP is valid: one stored entry written with a data descriptor (general purpose bit 3), so
 * the CRC-32 can follow the data instead of preceding it.
 */

const CHUNK = 1 << 20;
/** Below this the headers and the ZIP structure alone would not fit. */
export const MIN_HUGE_BYTES = 8 * 1024;
const ENTRY = Buffer.from("disk-image-2026-10.img");

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

function zipSize(dataBytes: number): number {
  return 30 + ENTRY.length + dataBytes + 16 + 46 + ENTRY.length + 22;
}

function* zipChunks(dataBytes: number, key: readonly (string | number)[]): Generator<Buffer> {
  const time = u16((9 << 11) | (30 << 5));
  const date = u16(((2026 - 1980) << 9) | (10 << 5) | 28);
  yield Buffer.concat([
    u32(0x04034b50),
    u16(20),
    u16(0x0008),
    u16(0),
    time,
    date,
    u32(0),
    u32(0),
    u32(0),
    u16(ENTRY.length),
    u16(0),
    ENTRY,
  ]);
  const bytes = new ByteStream(["huge", ...key]);
  let crc = 0;
  for (let left = dataBytes; left > 0; left -= CHUNK) {
    const chunk = bytes.read(Math.min(CHUNK, left));
    crc = crc32(chunk, crc);
    yield chunk;
  }
  const sizes = Buffer.concat([u32(crc), u32(dataBytes), u32(dataBytes)]);
  const central = Buffer.concat([
    u32(0x02014b50),
    u16(20),
    u16(20),
    u16(0x0008),
    u16(0),
    time,
    date,
    sizes,
    u16(ENTRY.length),
    u16(0),
    u16(0),
    u16(0),
    u16(0),
    u32(0),
    u32(0),
    ENTRY,
  ]);
  const localSize = 30 + ENTRY.length + dataBytes + 16;
  yield Buffer.concat([
    u32(0x08074b50),
    sizes,
    central,
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(1),
    u16(1),
    u32(central.length),
    u32(localSize),
    u16(0),
  ]);
}

const NOTE = "The full disk image is attached for the restore test. It is large on purpose.\r\n\r\n";

/** Filler lines of 74 dots (76 bytes with CRLF) and a last partial line: any length is possible. */
function padding(bytes: number): string {
  const line = `${".".repeat(74)}\r\n`;
  return line.repeat(Math.floor(bytes / 76)) + ".".repeat(bytes % 76);
}

function options(
  ctx: MailboxContext,
  plan: ComposedPlan,
  dataBytes: number,
  pad: number,
): MailComposerOptions {
  const key = [ctx.seed, ctx.upn, plan.index];
  return {
    from: { name: plan.from.name, address: plan.from.address },
    to: plan.to.map((t) => ({ name: t.name, address: t.address })),
    subject: plan.subject,
    messageId: plan.messageId,
    date: rfc5322Date(plan.sentMs, plan.from.utcOffset),
    baseBoundary: hashKey([...key, "huge-boundary"])
      .toString("hex")
      .slice(0, 16),
    text: NOTE + padding(pad),
    attachments: [
      {
        filename: plan.attachments[0]!.name,
        contentType: "application/zip",
        content: new LazyPayload(zipSize(dataBytes), () => zipChunks(dataBytes, key)),
      },
    ],
  };
}

/**
 * Options for the huge message, sized to exactly `plan.attachments[0].size` bytes. Tests hand the
 * same options to nodemailer's own build() to check the lazy serialisation.
 */
export function hugeMessageOptions(ctx: MailboxContext, plan: ComposedPlan): MailComposerOptions {
  const target = plan.attachments[0]!.size;
  if (target < MIN_HUGE_BYTES) throw new RangeError(`hugeMessageBytes must be at least ${MIN_HUGE_BYTES}`);
  // Everything but the attachment's base64 and the padding has a fixed size
  const fixed = piecesLength(composePieces(options(ctx, plan, 0, 0))) - base64EncodedLength(zipSize(0));
  let dataBytes = Math.max(0, Math.floor(((target - fixed) * 3 * 76) / (4 * 78)) - zipSize(0));
  while (dataBytes > 0 && fixed + base64EncodedLength(zipSize(dataBytes)) > target) dataBytes -= 57;
  return options(ctx, plan, dataBytes, target - fixed - base64EncodedLength(zipSize(dataBytes)));
}

export function hugeMessagePieces(ctx: MailboxContext, plan: ComposedPlan): Piece[] {
  const pieces = composePieces(hugeMessageOptions(ctx, plan));
  const target = plan.attachments[0]!.size;
  if (piecesLength(pieces) !== target)
    throw new Error(`huge message is ${piecesLength(pieces)} bytes, wanted ${target}`);
  return pieces;
}
