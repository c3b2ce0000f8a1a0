/**
 * The simulator expands recurrences (calendarView, `/instances`, calendarView delta) with the archive's own
 * expansion of Graph's `patternedRecurrence` (db/src/archive-pim/recurrence.ts): one implementation of the
 * documented pattern and range types rather than two copies that drift. The archive's unit tests pin it
 * (every pattern and range type, DST); the simulator's conformance tests check the Graph shapes around it.
 */
export { occurrenceDays, type PatternedRecurrence } from "@coffer/db/archive-pim/recurrence";
