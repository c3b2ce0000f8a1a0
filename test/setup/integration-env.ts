import { inject } from "vitest";

// Runs in every integration test process before the test file: code under test reads its settings the
// normal way (loadSettingsEnv, where the real environment wins) and so uses this run's database.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.REDIS_URL = inject("redisUrl");
