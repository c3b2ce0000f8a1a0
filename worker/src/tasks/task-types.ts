import { DATA_TYPES, type DataType, TASK_TYPES, type TaskType } from "@coffer/db/schema";
import { z } from "zod";

/**
 * The five Exchange Task types of seed 004 and the settings of their definitions. Every type can be
 * defined and scheduled; a type whose feature is not built yet is `isAvailable: false` — its tasks can be
 * saved but their runs end at once with a warning that says so, and the console shows it as unavailable.
 */

/**
 * Data types a folder replication definition can replicate: mail through the archive engine
 * (worker/src/sync), calendar, contacts, tasks and notes through the PIM sync (worker/src/pim).
 */
export const REPLICABLE_DATA_TYPES: readonly DataType[] = ["mail", "calendar", "contacts", "tasks", "notes"];

const ZFolderPaths = z
  .array(z.string().trim().min(1, { error: "A folder path cannot be empty." }), {
    error: "List the folders by path, for example Inbox or Inbox/Projects.",
  })
  .min(1, { error: "List at least one folder." })
  .max(500, { error: "At most 500 folders can be listed." });

/** Which folders' messages are replicated: all, only these (and their subfolders), or all but these. */
export const ZFolderSelection = z.discriminatedUnion(
  "mode",
  [
    z.object({ mode: z.literal("all") }),
    z.object({ mode: z.literal("include"), paths: ZFolderPaths }),
    z.object({ mode: z.literal("exclude"), paths: ZFolderPaths }),
  ],
  { error: 'Choose which folders: "all", "include" (only these) or "exclude" (all but these).' },
);
export type TFolderSelection = z.infer<typeof ZFolderSelection>;

export const ZFolderReplicationSettings = z
  .object({
    dataTypes: z
      .array(
        z.enum(DATA_TYPES, {
          error: (i) => `"${String(i.input)}" is not a data type (mail, calendar, contacts, tasks, notes).`,
        }),
      )
      .min(1, { error: "Choose at least one data type to replicate." })
      // All five by default, so the default task protects a mailbox the way the seed's Sync & Recover does.
      .default(["mail", "calendar", "contacts", "tasks", "notes"]),
    folders: ZFolderSelection.default({ mode: "all" }),
    includeHidden: z.boolean({ error: "includeHidden must be true or false." }).default(false),
  })
  .superRefine((s, ctx) => {
    const missing = s.dataTypes.filter((t) => !REPLICABLE_DATA_TYPES.includes(t));
    if (missing.length) {
      ctx.addIssue({
        code: "custom",
        path: ["dataTypes"],
        message: `This version replicates ${REPLICABLE_DATA_TYPES.join(", ")} only; ${missing.join(", ")} replication is not available yet.`,
      });
    }
  });

/**
 * Calendar Replication archives every calendar of the mailbox, whole (worker/src/pim syncCalendar). It has
 * no settings yet: a replication window would need the PIM sync to support one, so none is offered.
 */
export const ZCalendarReplicationSettings = z.object({});

export const ZStorageManagementSettings = z.object({
  action: z
    .enum(["attachment_stub", "attachment_stub_universal", "full_stub", "delete"], {
      error: "Choose the action: attachment_stub, attachment_stub_universal, full_stub or delete.",
    })
    .default("attachment_stub"),
  olderThanDays: z.coerce.number().int().min(1, { error: "olderThanDays must be at least 1." }).default(90),
  minSizeKb: z.coerce.number().int().min(0).default(0),
  folders: ZFolderSelection.default({ mode: "all" }),
});

export const ZManagedFoldersSettings = z.object({
  folders: z
    .array(
      z.object({
        name: z.string().trim().min(1, { error: "A managed folder needs a name." }),
        retentionDays: z.coerce.number().int().min(1, { error: "retentionDays must be at least 1." }),
      }),
    )
    .min(1, { error: "Define at least one managed folder." }),
});

export const ZPermissionsSyncSettings = z
  .object({
    fullAccess: z.boolean().default(true),
    sendAs: z.boolean().default(true),
    calendar: z.boolean().default(true),
  })
  .refine((s) => s.fullAccess || s.sendAs || s.calendar, {
    error: "Choose at least one permission to synchronise (Full Access, Send As or calendar).",
  });

export type TTaskTypeInfo = {
  type: TaskType;
  label: string;
  description: string;
  isAvailable: boolean;
  /** Shown while a task of this type runs (the seed's "Command"). */
  command: string;
  /** Sequence counts successful submissions (seed: folder and calendar replication only). */
  hasSequence: boolean;
  settings: z.ZodType<Record<string, unknown>>;
};

export const TASK_TYPE_INFO: Readonly<Record<TaskType, TTaskTypeInfo>> = {
  folder_replication: {
    type: "folder_replication",
    label: "Mailbox Folder Replication",
    description:
      "Archives the mailbox's folders and messages (and, as chosen, calendars, contacts, tasks and notes); every version is kept (Full View).",
    isAvailable: true,
    command: "Replicating folders",
    hasSequence: true,
    settings: ZFolderReplicationSettings,
  },
  calendar_replication: {
    type: "calendar_replication",
    label: "Calendar Replication",
    description: "Archives every calendar of the mailbox with its history (events, exceptions, attachments).",
    isAvailable: true,
    command: "Replicating calendars",
    hasSequence: true,
    settings: ZCalendarReplicationSettings,
  },
  storage_management: {
    type: "storage_management",
    label: "Mailbox Storage Management",
    description: "Stubs or deletes archived messages in the mailbox after a time.",
    isAvailable: false,
    command: "Managing mailbox storage",
    hasSequence: false,
    settings: ZStorageManagementSettings,
  },
  managed_folders: {
    type: "managed_folders",
    label: "Managed Folders",
    description: "Creates folders in the mailbox whose messages are deleted after a time.",
    isAvailable: false,
    command: "Managing folders",
    hasSequence: false,
    settings: ZManagedFoldersSettings,
  },
  permissions_sync: {
    type: "permissions_sync",
    label: "Mailbox Permissions Sync",
    description:
      "Reads Full Access and Send As permissions (Exchange) and calendar sharing (Graph) into the archive's delegates.",
    isAvailable: true,
    command: "Synchronising mailbox permissions",
    hasSequence: false,
    settings: ZPermissionsSyncSettings,
  },
};

export const TASK_TYPE_LIST: readonly TTaskTypeInfo[] = TASK_TYPES.map((t) => TASK_TYPE_INFO[t]);

export const UNAVAILABLE_MESSAGE = (type: TaskType) =>
  `${TASK_TYPE_INFO[type].label} is not available in this version of Coffer; the task ran nothing.`;

/** The settings with every default filled in, or a TaskInputError-ready zod error. */
export function parseSettings(type: TaskType, settings: unknown) {
  return TASK_TYPE_INFO[type].settings.safeParse(settings ?? {});
}

export function defaultSettings(type: TaskType): Record<string, unknown> {
  // Managed Folders has required settings with no sensible default (which folders): it starts empty
  // rather than making every list of task types throw.
  const parsed = TASK_TYPE_INFO[type].settings.safeParse({});
  return parsed.success ? (parsed.data as Record<string, unknown>) : {};
}

export type TFolderReplicationSettings = z.output<typeof ZFolderReplicationSettings>;
export type TPermissionsSyncSettings = z.output<typeof ZPermissionsSyncSettings>;
