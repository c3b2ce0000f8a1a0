/**
 * The environment for a child process that must see exactly the given settings: PATH and HOME (so node
 * and tools are found), nothing of this process's DATABASE_URL / REDIS_URL / M365_*, plus `settings`.
 * Pair it with COFFER_HOME pointing at an empty folder so no `.coffer/env` is read either.
 */
export function isolatedEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...settings };
}
