import type { MailboxRow, TRunSkip } from "@coffer/db/schema";
import type { TMailboxLock } from "../../sync/mailbox-lock";
import type { TEngine } from "../engine";

/** What one task type does to one mailbox, while the runner holds the mailbox's lock. */
export type TFeatureInput<TSettings> = {
  engine: TEngine;
  mailbox: MailboxRow;
  lock: TMailboxLock;
  settings: TSettings;
  runId: string;
};

/** The per-mailbox row of the run log (task_run_mailboxes). */
export type TMailboxOutcome = {
  /** skipped: nothing was done for a reason that is not an error (the data type is off in retention). */
  status: "success" | "warning" | "skipped";
  message: string | null;
  itemsAdded: number;
  itemsChanged: number;
  itemsRemoved: number;
  skips: TRunSkip[];
  requests: number;
  throttled: number;
};

export type TFeature<TSettings> = (input: TFeatureInput<TSettings>) => Promise<TMailboxOutcome>;
