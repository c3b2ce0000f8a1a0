import { GraphFailure } from "../graph/errors";
import { MailboxBusyError } from "./mailbox-lock";

/** A failure in one sentence for people (CLI, run logs), saying whether a retry may help. */
export function describeFailure(e: unknown): string {
  if (e instanceof MailboxBusyError) return e.message;
  if (e instanceof GraphFailure) {
    const hint =
      e.kind === "transient"
        ? " (temporary: the next run retries)"
        : e.isNoMailbox
          ? " (the user has no mailbox)"
          : "";
    return `${e.message}${hint}`;
  }
  return e instanceof Error ? e.message : String(e);
}
