import { syncMailboxPermissions } from "../../permissions/sync-permissions";
import type { TPermissionsSyncSettings } from "../task-types";
import type { TFeature } from "./feature";

/** Mailbox Permissions Sync for one mailbox (worker/src/permissions). */
export const syncPermissions: TFeature<TPermissionsSyncSettings> = async ({
  engine,
  mailbox,
  lock,
  settings,
}) => {
  const r = await syncMailboxPermissions(
    { db: engine.db, exchange: engine.exchange, directory: engine.directory, graph: engine.graph },
    mailbox,
    settings,
    lock.signal,
  );
  const counts = Object.entries(r.counts)
    .map(([source, n]) => `${source.replace("_", " ")} ${n}`)
    .join(", ");
  return {
    status: r.skips.length > 0 ? "warning" : "success",
    message:
      `delegates: ${counts || "none"}; ${r.added} added, ${r.changed} changed, ${r.removed} removed` +
      (r.skips.length ? `; ${r.skips.length} trustees not in the directory` : ""),
    itemsAdded: r.added,
    itemsChanged: r.changed,
    itemsRemoved: r.removed,
    skips: r.skips,
    requests: 0,
    throttled: 0,
  };
};
