/** The values the integration global setup provides to tests (`inject("databaseUrl")`, …). */
declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
    /** Every Redis key of this run starts with it; the global teardown deletes them. */
    redisPrefix: string;
    runId: string;
  }
}

export {};
