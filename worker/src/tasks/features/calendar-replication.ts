import { syncCalendar } from "../../pim/sync-pim";
import type { TFeature } from "./feature";

/** Calendar Replication: every calendar of the mailbox through the PIM sync (worker/src/pim). */
export const replicateCalendars: TFeature<Record<string, unknown>> = async ({ engine, mailbox, lock }) => {
  const stats = await syncCalendar(engine.sync, mailbox, {}, { heldLock: lock });
  if (stats.skippedReason) {
    return { ...none(), status: "skipped", message: stats.skippedReason };
  }
  return {
    status: stats.skipped > 0 ? "warning" : "success",
    message:
      `${stats.folders} calendars, ${stats.added} added, ${stats.changed} changed, ${stats.removed} removed` +
      (stats.skipped > 0 ? `, ${stats.skipped} items skipped` : "") +
      `, ${stats.requests} requests, ${stats.seconds} s`,
    itemsAdded: stats.added,
    itemsChanged: stats.changed,
    itemsRemoved: stats.removed,
    skips: [],
    requests: stats.requests,
    throttled: stats.throttled,
  };
};

function none() {
  return { itemsAdded: 0, itemsChanged: 0, itemsRemoved: 0, skips: [], requests: 0, throttled: 0 };
}
