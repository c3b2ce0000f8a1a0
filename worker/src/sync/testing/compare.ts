import { randomBytes } from "node:crypto";
import type { MailboxState } from "@coffer/test/m365-sim/src/client";
import type { TMailboxListing } from "../list-mailbox";

/** The simulator's truth in `coffer ls` shape (items keyed by immutable id), sorted like listMailboxAt. */
export function truthOf(state: MailboxState): Pick<TMailboxListing, "folders" | "items"> {
  const items = state.messages
    .map((m) => ({
      id: m.immutableId,
      folderPath: m.folderPath,
      internetMessageId: m.internetMessageId,
      sha256: m.sha256,
      size: m.size,
    }))
    .sort(byPathThenId);
  const folders = state.folders.map((f) => ({ id: f.id, path: f.path })).sort((a, b) => cmp(a.path, b.path));
  return { folders, items };
}

/** An archive listing with the same ordering, for toEqual against truthOf. */
export function comparable(listing: TMailboxListing): Pick<TMailboxListing, "folders" | "items"> {
  return {
    folders: [...listing.folders].sort((a, b) => cmp(a.path, b.path)),
    items: [...listing.items].sort(byPathThenId),
  };
}

function byPathThenId(a: { folderPath: string; id: string }, b: { folderPath: string; id: string }): number {
  return cmp(a.folderPath, b.folderPath) || cmp(a.id, b.id);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A small, valid RFC 5322 message with a unique Message-ID (CRLF line ends, as Exchange produces). */
export function makeMessage(
  opts: {
    subject?: string;
    from?: string;
    to?: string[];
    body?: string;
    date?: Date;
    attachment?: { name: string; bytes: Buffer };
  } = {},
): Buffer {
  const id = `<${randomBytes(8).toString("hex")}@test.coffer.example>`;
  const lines = [
    `From: ${opts.from ?? "Alice Example <alice@example.com>"}`,
    `To: ${(opts.to ?? ["bob@example.com"]).join(", ")}`,
    `Subject: ${opts.subject ?? "Hello"}`,
    `Date: ${(opts.date ?? new Date("2026-10-01T10:00:00Z")).toUTCString()}`,
    `Message-ID: ${id}`,
    "MIME-Version: 1.0",
  ];
  const body = opts.body ?? "Just a test message.";
  if (!opts.attachment) {
    lines.push("Content-Type: text/plain; charset=utf-8", "", body, "");
  } else {
    const b = `b${randomBytes(6).toString("hex")}`;
    lines.push(
      `Content-Type: multipart/mixed; boundary="${b}"`,
      "",
      `--${b}`,
      "Content-Type: text/plain; charset=utf-8",
      "",
      body,
      `--${b}`,
      `Content-Type: application/octet-stream; name="${opts.attachment.name}"`,
      `Content-Disposition: attachment; filename="${opts.attachment.name}"`,
      "Content-Transfer-Encoding: base64",
      "",
      ...(opts.attachment.bytes.toString("base64").match(/.{1,76}/g) ?? []),
      `--${b}--`,
      "",
    );
  }
  return Buffer.from(lines.join("\r\n"), "utf8");
}
