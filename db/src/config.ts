import { z } from "zod";
import { loadSettingsEnv } from "./settings";

const ZDbConfig = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is not set: run `npm run stack` or set it to your PostgreSQL URL" })
    .url("DATABASE_URL must be a postgres:// URL"),
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
});
export type TDbConfig = z.infer<typeof ZDbConfig>;

let cached: TDbConfig | undefined;

/** The database settings of this process, validated once. */
export function dbConfig(env: Record<string, string | undefined> = loadSettingsEnv()): TDbConfig {
  if (!cached) cached = ZDbConfig.parse(env);
  return cached;
}
