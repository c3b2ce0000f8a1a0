import { userInfo } from "node:os";
import { createBlobStore } from "@coffer/db/blobs/config";
import { createDb, type Db } from "@coffer/db/client";
import { isRetentionError } from "@coffer/db/retention/errors";
import type { TActor } from "@coffer/db/retention/policy-change";
import { CliError } from "../cli/command";
import { settings } from "../config";
import type { TPurgeDeps } from "./run-purge";

/**
 * What the retention commands (`coffer purge | hold | policy | deprovision`) share: their database (and
 * blob store) from this process's settings, who acts (audit log), and the translation of the retention
 * functions' expected errors into the CLI's plain sentences and exit codes.
 */

/** `--by <who>`, else `cli:<operating system user>`: what the audit log records as the actor. */
export function cliActor(by: string | undefined): TActor {
  if (by?.trim()) return { upn: by.trim() };
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the audit log still says it came from the command line.
  }
  return { upn: `cli:${user}` };
}

export function openDb(): { db: Db; close(): Promise<void> } {
  const db = createDb(settings("database").DATABASE_URL, 4);
  return { db, close: () => db.destroy() };
}

export function openPurgeDeps(log?: (line: string) => void): TPurgeDeps & { close(): Promise<void> } {
  const db = createDb(settings("database").DATABASE_URL, 4);
  return {
    db,
    blobs: createBlobStore(settings("storage"), { db }),
    ...(log ? { log } : {}),
    close: () => db.destroy(),
  };
}

/**
 * Runs `fn`, turning a RetentionError into a CliError with its sentence: exit 2 for invalid input (a
 * usage problem), 1 otherwise. Other errors pass through (the CLI prints their message).
 */
export async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isRetentionError(e)) throw new CliError(e.message, e.code === "invalid_input" ? 2 : 1);
    if (e instanceof Error && e.name === "PurgeBusyError") throw new CliError(e.message, 1);
    throw e;
  }
}
