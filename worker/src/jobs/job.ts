import type { z } from "zod";
import type { TEngine } from "../tasks/engine";

/** What a handler gets besides its payload (style anchors P6). */
export type TJobContext = {
  jobId: string;
  attempt: number;
  maxAttempts: number;
  /** For a job created by a job scheduler: the tick it was created for (ms since epoch). */
  scheduledAt?: number | undefined;
  engine: TEngine;
};

/** One job type: its name, its payload schema (ids only) and its handler. One file per job. */
export type TJobDefinition<TSchema extends z.ZodType = z.ZodType> = {
  name: string;
  schema: TSchema;
  handle(payload: z.output<TSchema>, ctx: TJobContext): Promise<unknown>;
};

export function defineJob<TSchema extends z.ZodType>(def: TJobDefinition<TSchema>): TJobDefinition<TSchema> {
  return def;
}
