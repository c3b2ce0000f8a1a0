import "server-only";
import { TASK_TYPES, type TaskType } from "@coffer/db/schema";
import { TaskNotFoundError, type TTaskFilter } from "@coffer/worker/tasks/index";
import { notFound } from "next/navigation";
import { z } from "zod";
import type { TTaskListQuery } from "./paths";

/** Reads for the console's pages: an unknown id is the 404 page, like any other missing page. */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof TaskNotFoundError) notFound();
    throw error;
  }
}

type TSearchParams = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
// Unknown filter values are ignored (a stale bookmark shows everything rather than an error).
const oneOf = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .optional()
    .transform((v) => ((values as readonly string[]).includes(v ?? "") ? (v as T) : undefined));

const ZTaskListQuery = z.object({
  type: oneOf(TASK_TYPES),
  status: oneOf(["unknown", "scheduled", "running"] as const),
  result: oneOf(["success", "warning", "error"] as const),
  siteId: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((v) => v || undefined),
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => v || undefined),
});
export type TParsedTaskListQuery = z.output<typeof ZTaskListQuery>;

export function parseTaskListQuery(params: TSearchParams): TParsedTaskListQuery {
  const raw = Object.fromEntries(
    ["type", "status", "result", "siteId", "q"].map((k) => [k, first(params[k])]),
  );
  return ZTaskListQuery.parse(raw);
}

export function taskFilterOf(q: TParsedTaskListQuery): TTaskFilter {
  return {
    ...(q.type ? { type: q.type } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.result ? { lastResult: q.result } : {}),
    ...(q.siteId ? { siteId: q.siteId } : {}),
    ...(q.q ? { search: q.q } : {}),
  };
}

export function asListQuery(q: TParsedTaskListQuery): TTaskListQuery {
  return { type: q.type, status: q.status, result: q.result, siteId: q.siteId, q: q.q };
}

export function parseTaskType(value: string | string[] | undefined): TaskType | undefined {
  const v = first(value);
  return (TASK_TYPES as readonly string[]).includes(v ?? "") ? (v as TaskType) : undefined;
}

export function searchParam(params: TSearchParams, key: string): string | undefined {
  const v = first(params[key]);
  return v ? v.slice(0, 300) : undefined;
}
