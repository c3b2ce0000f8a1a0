import type { Db } from "@coffer/db/client";
import type { SiteRow } from "@coffer/db/schema";
import { createDefinition, listDefinitions } from "@coffer/db/tasks/definitions";
import { registerSite } from "@coffer/db/tasks/register-site";
import { createSchedule, listSchedules } from "@coffer/db/tasks/schedules";
import { createTask } from "@coffer/db/tasks/tasks";
import { defaultSettings } from "./task-types";

/**
 * First start (issue 6, item 4): the first worker to start on a new database registers its site and
 * creates an "Every 4 hours" schedule, a default Mailbox Folder Replication definition and a task over
 * all licensed mailboxes, so a new install protects mail without any configuration. Idempotent: it
 * happens once per database (when the first site is registered), never again, even if an admin later
 * deletes the default task.
 */
export const DEFAULT_SCHEDULE_NAME = "Every 4 hours";
export const DEFAULT_DEFINITION_NAME = "All folders";
export const DEFAULT_TASK_NAME = "Mailbox Folder Replication — all licensed mailboxes";
const SYSTEM = "system (first start)";

export async function registerWorkerSite(
  db: Db,
  siteName: string,
): Promise<{ site: SiteRow; isFirstStart: boolean }> {
  return registerSite(db, siteName, async (trx, site) => {
    const schedule =
      (await listSchedules(trx)).find((s) => s.name === DEFAULT_SCHEDULE_NAME) ??
      (await createSchedule(
        trx,
        { name: DEFAULT_SCHEDULE_NAME, kind: "interval", intervalMinutes: 240 },
        SYSTEM,
      ));
    const definition =
      (await listDefinitions(trx, "folder_replication")).find((d) => d.name === DEFAULT_DEFINITION_NAME) ??
      (await createDefinition(
        trx,
        {
          type: "folder_replication",
          name: DEFAULT_DEFINITION_NAME,
          settings: defaultSettings("folder_replication"),
        },
        SYSTEM,
      ));
    await createTask(
      trx,
      {
        name: DEFAULT_TASK_NAME,
        siteId: site.id,
        scheduleId: schedule.id,
        definitionId: definition.id,
        type: "folder_replication",
        targetKind: "all_licensed",
        targetValue: "",
      },
      SYSTEM,
    );
  });
}
