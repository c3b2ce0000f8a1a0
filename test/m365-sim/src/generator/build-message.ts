import { createReadStream } from "node:fs";
import { join } from "node:path";
import { composeOptions } from "./compose-message";
import { isoUtc } from "./dates";
import { composePieces } from "./fast-mime";
import { readFixture } from "./fixtures";
import { hugeMessagePieces } from "./huge-message";
import type { MailboxContext } from "./mail-context";
import { planMessage } from "./mail-plan";
import { composedMeta } from "./message-meta";
import { pieceChunks, piecesLength, piecesToBuffer, piecesToStream } from "./mime-serialize";
import type { GeneratedMessage } from "./types";

/**
 * Message i of a mailbox. Only the plan (folder, date, read state) is computed here; the MIME is
 * built on every mime()/stream()/content() call and dropped afterwards, so a mailbox of any size
 * costs no memory beyond the message being read. meta() answers header questions from the plan.
 */
export function buildMessage(ctx: MailboxContext, index: number): GeneratedMessage {
  const plan = planMessage(ctx, index);
  const base = {
    folderPath: plan.folderPath,
    receivedDateTime: isoUtc(plan.receivedMs),
    isRead: plan.isRead,
  };
  if (plan.type === "fixture") {
    const set = ctx.fixtureSet!;
    return {
      ...base,
      mime: () => readFixture(set, plan.fixture),
      stream: () => createReadStream(join(set.dir, plan.fixture.path)),
      meta: () => undefined,
      content: () => {
        const bytes = readFixture(set, plan.fixture);
        return { size: bytes.length, chunks: () => [bytes] };
      },
    };
  }
  const pieces = () =>
    plan.payload === "huge" ? hugeMessagePieces(ctx, plan) : composePieces(composeOptions(ctx, plan));
  return {
    ...base,
    mime: () => piecesToBuffer(pieces()),
    stream: () => piecesToStream(pieces()),
    meta: () => composedMeta(ctx, plan),
    content: () => {
      const all = pieces();
      return { size: piecesLength(all), chunks: () => pieceChunks(all) };
    },
  };
}
