import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { loadSettingsEnv, settingsDir } from "../settings";
import type { DbOrTrx } from "../transaction";
import { type BlobKey, toBlobKey } from "./format";
import { FsBlobBackend } from "./fs-backend";
import { dbBlobIndex } from "./rows";
import { BlobStore } from "./store";

/**
 * Blob store settings, validated once per process:
 * - COFFER_ENCRYPTION_KEY: base64 of 32 random bytes, or COFFER_ENCRYPTION_KEY_FILE: a file holding that;
 * - COFFER_BLOB_DIR: the filesystem backend's folder (default `<settings folder>/blobs`).
 * Without a key Coffer refuses to start (MissingEncryptionKeyError): the worker's and the portal's config
 * call `blobStoreConfig()` at start-up. Demo and tests generate a key with `ensureDevKey`.
 */
export type TBlobStoreConfig = { blobDir: string; keys: BlobKey[] };

export const MISSING_KEY_MESSAGE =
  "Coffer refuses to start: no encryption key for the archive is configured. Set COFFER_ENCRYPTION_KEY to " +
  "32 random bytes in base64 (for example the output of `openssl rand -base64 32`), or " +
  "COFFER_ENCRYPTION_KEY_FILE to a file that contains it, and keep a copy of that key in a safe place: " +
  "without it the archive cannot be read.";

export class MissingEncryptionKeyError extends Error {
  override readonly name = "MissingEncryptionKeyError";
  constructor() {
    super(MISSING_KEY_MESSAGE);
  }
}

const ZBlobEnv = z.object({
  COFFER_ENCRYPTION_KEY: z.string().trim().min(1).optional(),
  COFFER_ENCRYPTION_KEY_FILE: z.string().trim().min(1).optional(),
  COFFER_BLOB_DIR: z.string().trim().min(1).optional(),
});

export function blobStoreConfig(
  env: Record<string, string | undefined> = loadSettingsEnv(),
  home: string = settingsDir(),
): TBlobStoreConfig {
  const parsed = ZBlobEnv.parse(env);
  if (parsed.COFFER_ENCRYPTION_KEY && parsed.COFFER_ENCRYPTION_KEY_FILE) {
    throw new Error("set either COFFER_ENCRYPTION_KEY or COFFER_ENCRYPTION_KEY_FILE, not both");
  }
  let key: BlobKey;
  if (parsed.COFFER_ENCRYPTION_KEY) {
    key = parseKey(parsed.COFFER_ENCRYPTION_KEY, "COFFER_ENCRYPTION_KEY");
  } else if (parsed.COFFER_ENCRYPTION_KEY_FILE) {
    key = readKeyFile(parsed.COFFER_ENCRYPTION_KEY_FILE);
  } else {
    throw new MissingEncryptionKeyError();
  }
  return { blobDir: path.resolve(parsed.COFFER_BLOB_DIR ?? path.join(home, "blobs")), keys: [key] };
}

/**
 * The blob store of this process: the filesystem backend with the configured key. With `db`, the `blobs`
 * table is its index, so small objects are packed and read back by sha256 (every process that writes or
 * reads the archive passes it); without, one file per object, as before packs.
 */
export function createBlobStore(
  config: TBlobStoreConfig = blobStoreConfig(),
  options: { db?: DbOrTrx } = {},
): BlobStore {
  return new BlobStore({
    backend: new FsBlobBackend(config.blobDir),
    keys: config.keys,
    ...(options.db ? { index: dbBlobIndex(options.db) } : {}),
  });
}

/**
 * FOR DEMO AND TESTS ONLY: makes sure `<settingsDir>/keys/blob.key` holds a key (generating one the first
 * time) and returns its path, for COFFER_ENCRYPTION_KEY_FILE. A real install configures its own key: one
 * generated next to the data it protects is no protection against losing or leaking both.
 */
export function ensureDevKey(dir: string): { path: string; keyId: string } {
  const keysDir = path.join(dir, "keys");
  const file = path.join(keysDir, "blob.key");
  mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  try {
    // wx: two processes starting at once must not overwrite each other's key.
    writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return { path: file, keyId: readKeyFile(file).id };
}

function readKeyFile(file: string): BlobKey {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the encryption key file ${file}: ${(err as Error).message}`);
  }
  return parseKey(text.trim(), `the key file ${file}`);
}

function parseKey(base64: string, where: string): BlobKey {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw new Error(`${where} is not base64`);
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length !== 32) {
    throw new Error(`${where} must hold 32 bytes in base64 (44 characters); it holds ${bytes.length} bytes`);
  }
  return toBlobKey(bytes);
}
