import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { toBlobKey } from "../../blobs/format";
import { FsBlobBackend } from "../../blobs/fs-backend";
import { insertBlobRow } from "../../blobs/rows";
import { BlobStore, storageKeyFor } from "../../blobs/store";
import type { Db } from "../../client";
import { upsertMailbox } from "../../mailboxes/mailboxes";
import type { DataType, MailboxRow } from "../../schema";

/**
 * For retention and purge tests: archive rows written directly, the way the sync engine's page commits
 * write them (a real blob in a real blob store, its `blobs` and `contents` rows, history rows with chosen
 * times), so a test can set up "received 40 days ago, deleted 5 days ago" without waiting 40 days.
 */
export type TSeedStore = {
  store: BlobStore;
  backend: FsBlobBackend;
  dir: string;
  keyBase64: string;
  remove(): void;
};

export function tempBlobStore(): TSeedStore {
  const dir = mkdtempSync(path.join(tmpdir(), "coffer-purge-"));
  const key = randomBytes(32);
  const backend = new FsBlobBackend(dir);
  return {
    store: new BlobStore({ backend, keys: [toBlobKey(key)] }),
    backend,
    dir,
    keyBase64: key.toString("base64"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const DAY = 86_400_000;
export const daysAgo = (days: number, now = new Date()) => new Date(now.getTime() - days * DAY);

export async function seedMailbox(db: Db, upn: string): Promise<MailboxRow> {
  return upsertMailbox(db, {
    entraId: `entra-${upn}`,
    upn,
    displayName: upn.split("@")[0] ?? upn,
    mail: upn,
    kind: "user",
    accountEnabled: true,
    licensed: true,
    hasMailbox: true,
  });
}

/** Stores `text` as content (blob object + blobs + contents rows) and returns its sha256 and size. */
export async function seedContent(
  db: Db,
  store: BlobStore,
  text: string,
  dataType: DataType = "mail",
): Promise<{ sha256: string; size: number }> {
  const stored = await store.putBuffer(Buffer.from(text));
  await insertBlobRow(db, stored);
  await db
    .insertInto("contents")
    .values({ sha256: stored.sha256, data_type: dataType, title: text.slice(0, 40) })
    .onConflict((oc) => oc.column("sha256").doNothing())
    .execute();
  return { sha256: stored.sha256, size: stored.size };
}

export type TSeedVersion = {
  mailboxId: string;
  dataType?: DataType;
  graphId: string;
  folder?: string;
  content: { sha256: string; size: number };
  receivedAt?: Date | null;
  validFrom: Date;
  validTo?: Date | null;
};

export async function seedVersion(db: Db, v: TSeedVersion): Promise<number> {
  const row = await db
    .insertInto("item_versions")
    .values({
      mailbox_id: v.mailboxId,
      data_type: v.dataType ?? "mail",
      graph_id: v.graphId,
      folder_graph_id: v.folder ?? "inbox",
      sha256: v.content.sha256,
      size: v.content.size,
      received_at: v.receivedAt === undefined ? v.validFrom : v.receivedAt,
      is_read: false,
      valid_from: v.validFrom,
      valid_to: v.validTo ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function seedFolder(
  db: Db,
  f: {
    mailboxId: string;
    dataType?: DataType;
    graphId: string;
    name: string;
    validFrom: Date;
    validTo?: Date | null;
  },
): Promise<number> {
  const row = await db
    .insertInto("folder_versions")
    .values({
      mailbox_id: f.mailboxId,
      data_type: f.dataType ?? "mail",
      graph_id: f.graphId,
      display_name: f.name,
      valid_from: f.validFrom,
      valid_to: f.validTo ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Makes every stored object look last used `ms` ago (objects are written now in tests). */
export async function ageObjects(store: TSeedStore, ms: number, shas?: readonly string[]): Promise<void> {
  const at = new Date(Date.now() - ms);
  if (shas) {
    for (const sha of shas) await utimes(store.backend.objectPath(storageKeyFor(sha)), at, at);
    return;
  }
  for await (const o of store.backend.list()) await utimes(store.backend.objectPath(o.key), at, at);
}

export async function objectExists(store: TSeedStore, sha256: string): Promise<boolean> {
  return store.backend.exists(storageKeyFor(sha256));
}
