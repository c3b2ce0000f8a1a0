import "server-only";
import { createTasksContext, type TTasksContext } from "@coffer/worker/tasks/index";

/**
 * One Exchange Tasks context (database pool, Redis, queue producer, directory) per portal server process.
 * Kept on globalThis because Next may evaluate this module once per bundle (pages, route handlers and
 * actions share the process). Created on first use, so pages that never touch tasks open no connection.
 */
const holder = globalThis as typeof globalThis & { __cofferTasks?: TTasksContext };

// Redis errors repeat on every reconnect attempt while Redis is down: log each distinct one once a minute.
const lastLogged = new Map<string, number>();
function logRedisError(error: Error): void {
  const now = Date.now();
  if (now - (lastLogged.get(error.message) ?? 0) < 60_000) return;
  lastLogged.set(error.message, now);
  console.error(`admin-tasks: redis: ${error.message}`);
}

export function tasksContext(): TTasksContext {
  holder.__cofferTasks ??= createTasksContext(logRedisError);
  return holder.__cofferTasks;
}
