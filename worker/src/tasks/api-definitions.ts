import { appendAudit } from "@coffer/db/audit/audit-log";
import { TASK_TYPES, type TaskType } from "@coffer/db/schema";
import * as dbDefinitions from "@coffer/db/tasks/definitions";
import { countTaskUsage, listTasksUsing } from "@coffer/db/tasks/task-queries";
import { inTransaction } from "@coffer/db/transaction";
import { z } from "zod";
import type { TTasksContext } from "./context";
import { isUuid, parseInput, TaskConflictError, TaskInputError, TaskNotFoundError } from "./errors";
import { defaultSettings, parseSettings, TASK_TYPE_INFO, TASK_TYPE_LIST } from "./task-types";
import {
  definitionVersionView,
  definitionView,
  type TDefinitionVersionView,
  type TDefinitionView,
} from "./views";

/**
 * Definitions: the settings of one task type, versioned (every change is a new version; a run records
 * the version it used). Settings are validated per type (task-types.ts) and stored with defaults filled in.
 */

const ZName = z
  .string({ error: "Give the definition a name." })
  .trim()
  .min(1, { error: "Give the definition a name." })
  .max(100, { error: "A definition name can be at most 100 characters." });

export const ZDefinitionInput = z.object({
  type: z.enum(TASK_TYPES, { error: "Choose the task type of the definition." }),
  name: ZName,
  settings: z.record(z.string(), z.unknown(), { error: "settings must be an object." }).optional(),
});
export type TDefinitionInput = z.input<typeof ZDefinitionInput>;

export const ZDefinitionUpdate = z.object({
  name: ZName.optional(),
  settings: z.record(z.string(), z.unknown(), { error: "settings must be an object." }),
});
export type TDefinitionUpdate = z.input<typeof ZDefinitionUpdate>;

export type TTaskTypeView = {
  type: TaskType;
  label: string;
  description: string;
  isAvailable: boolean;
  hasSequence: boolean;
  defaultSettings: Record<string, unknown>;
};

/** The five task types, in the seed's order, with whether this version can run them. */
export function listTaskTypes(): TTaskTypeView[] {
  return TASK_TYPE_LIST.map((t) => ({
    type: t.type,
    label: t.label,
    description: t.description,
    isAvailable: t.isAvailable,
    hasSequence: t.hasSequence,
    defaultSettings: defaultSettings(t.type),
  }));
}

export type TDefinitionListItem = TDefinitionView & { taskCount: number };

export async function listDefinitions(
  ctx: TTasksContext,
  filter: { type?: TaskType } = {},
): Promise<TDefinitionListItem[]> {
  const [rows, usage] = await Promise.all([
    dbDefinitions.listDefinitions(ctx.db, filter.type),
    countTaskUsage(ctx.db),
  ]);
  return rows.map((d) => ({ ...definitionView(d), taskCount: usage.definitions.get(d.id) ?? 0 }));
}

export async function getDefinition(
  ctx: TTasksContext,
  id: string,
): Promise<
  TDefinitionView & { versions: TDefinitionVersionView[]; tasks: Array<{ id: string; name: string }> }
> {
  const row = await findOr404(ctx, id);
  const [versions, tasks] = await Promise.all([
    dbDefinitions.listDefinitionVersions(ctx.db, id),
    listTasksUsing(ctx.db, { definitionId: id }),
  ]);
  return {
    ...definitionView(row),
    versions: versions.map(definitionVersionView),
    tasks: tasks.map((t) => ({ id: t.id, name: t.name })),
  };
}

/** Validates and saves a new definition (version 1). TaskInputError, nothing saved, on invalid input. */
export async function createDefinition(
  ctx: TTasksContext,
  input: TDefinitionInput,
  actor: string,
): Promise<TDefinitionView> {
  const parsed = parseInput(ZDefinitionInput, input);
  const settings = checkSettings(parsed.type, parsed.settings ?? {});
  await assertNameFree(ctx, parsed.type, parsed.name);
  const row = await inTransaction(ctx.db, async (trx) => {
    const created = await dbDefinitions.createDefinition(
      trx,
      { type: parsed.type, name: parsed.name, settings },
      actor,
    );
    await appendAudit(trx, {
      actorUpn: actor,
      action: "definition.create",
      target: created.id,
      detail: { type: created.type, name: created.name },
    });
    return created;
  });
  return definitionView(row);
}

/** New settings (and name) as the next version. Runs already going keep the version they started with. */
export async function updateDefinition(
  ctx: TTasksContext,
  id: string,
  input: TDefinitionUpdate,
  actor: string,
): Promise<TDefinitionView> {
  const parsed = parseInput(ZDefinitionUpdate, input);
  const existing = await findOr404(ctx, id);
  const settings = checkSettings(existing.type, parsed.settings);
  if (parsed.name !== undefined) await assertNameFree(ctx, existing.type, parsed.name, id);
  const row = await inTransaction(ctx.db, async (trx) => {
    const updated = await dbDefinitions.updateDefinition(
      trx,
      id,
      { settings, ...(parsed.name !== undefined ? { name: parsed.name } : {}) },
      actor,
    );
    if (!updated) throw new TaskNotFoundError(`The definition ${id} no longer exists.`);
    await appendAudit(trx, {
      actorUpn: actor,
      action: "definition.update",
      target: id,
      detail: { name: updated.name, version: updated.version },
    });
    return updated;
  });
  return definitionView(row);
}

export async function deleteDefinition(ctx: TTasksContext, id: string, actor: string): Promise<void> {
  const row = await findOr404(ctx, id);
  const users = await listTasksUsing(ctx.db, { definitionId: id });
  if (users.length) {
    throw new TaskConflictError(
      `The definition "${row.name}" is used by ${users.map((u) => `"${u.name}"`).join(", ")}; give ${users.length === 1 ? "that task" : "those tasks"} another definition first.`,
    );
  }
  await inTransaction(ctx.db, async (trx) => {
    await dbDefinitions.deleteDefinition(trx, id);
    await appendAudit(trx, {
      actorUpn: actor,
      action: "definition.delete",
      target: id,
      detail: { name: row.name },
    });
  });
}

/** The settings with defaults filled in, or a TaskInputError whose fields are `settings.<path>`. */
function checkSettings(type: TaskType, settings: Record<string, unknown>): Record<string, unknown> {
  const r = parseSettings(type, settings);
  if (!r.success) {
    throw new TaskInputError(
      r.error.issues.map((i) => ({
        field: ["settings", ...i.path.map(String)].join("."),
        message: i.message,
      })),
    );
  }
  return r.data;
}

async function findOr404(ctx: TTasksContext, id: string) {
  const row = isUuid(id) ? await dbDefinitions.findDefinitionById(ctx.db, id) : undefined;
  if (!row) throw new TaskNotFoundError(`There is no definition ${id}.`);
  return row;
}

async function assertNameFree(
  ctx: TTasksContext,
  type: TaskType,
  name: string,
  exceptId?: string,
): Promise<void> {
  const clash = (await dbDefinitions.listDefinitions(ctx.db, type)).find(
    (d) => d.name.toLowerCase() === name.toLowerCase() && d.id !== exceptId,
  );
  if (clash) {
    throw TaskInputError.field(
      "name",
      `A ${TASK_TYPE_INFO[type].label} definition named "${clash.name}" already exists.`,
    );
  }
}
