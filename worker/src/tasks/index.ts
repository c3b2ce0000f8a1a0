/**
 * The Exchange Tasks API (issue 6) for the admin console and the CLI: `import { … } from
 * "@coffer/worker/tasks/index"` on the server side only (it talks to PostgreSQL, Redis and Graph).
 *
 * Every function takes a `TTasksContext` first (`createTasksContext()`, one per server process).
 * Mutations take the acting administrator (`actor`, their UPN) last; it is stored as "modified by" and
 * in the audit log. Invalid input throws `TaskInputError` (its `issues` name the form fields, nothing
 * is saved); unknown ids throw `TaskNotFoundError`; a conflict with the current state (a schedule still
 * in use, a running task) throws `TaskConflictError`. `isExpectedTaskError` tells these apart from bugs.
 * See README.md in this folder.
 */

export type { TDirectoryGroup, TGroupKind } from "../graph/directory-port";
export {
  createDefinition,
  deleteDefinition,
  getDefinition,
  listDefinitions,
  listTaskTypes,
  type TDefinitionInput,
  type TDefinitionListItem,
  type TDefinitionUpdate,
  type TTaskTypeView,
  updateDefinition,
  ZDefinitionInput,
  ZDefinitionUpdate,
} from "./api-definitions";
export {
  deleteTask,
  describeTaskDeletion,
  type TTaskDeletionPreview,
  type TTaskDeletionResult,
} from "./api-delete";
export {
  getExchangeServicesDashboard,
  getSyncOverview,
  listSites,
  type TExchangeServicesDashboard,
  type TSiteListItem,
  type TSyncOverview,
} from "./api-overview";
export { getTaskRun, listRunLogs, listTaskRuns, type TRunDetail } from "./api-runs";
export {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  previewSchedule,
  type TScheduleListItem,
  updateSchedule,
} from "./api-schedules";
export {
  createTask,
  getTask,
  getTaskProgress,
  listTasks,
  lookupGroups,
  resolveTaskId,
  runTaskNow,
  subscribeTaskProgress,
  type TRunNowResult,
  type TTaskFilter,
  type TTaskInput,
  type TTaskUpdate,
  updateTask,
  ZTaskInput,
  ZTaskUpdate,
} from "./api-tasks";
export { createTasksContext, type TTasksContext } from "./context";
export {
  isExpectedTaskError,
  TaskConflictError,
  TaskInputError,
  TaskNotFoundError,
  type TFieldIssue,
} from "./errors";
export type { TTaskProgressEvent } from "./progress";
export type { TRunOutcome } from "./run-task";
export { describeSchedule, type TScheduleInput, ZScheduleInput } from "./schedule-rules";
export {
  describeTarget,
  splitAddressList,
  type TTaskTarget,
  type TTaskTargetInput,
  ZTaskTarget,
} from "./target-rules";
export { TASK_TYPE_INFO, TASK_TYPE_LIST, type TTaskTypeInfo } from "./task-types";
export type {
  TDefinitionVersionView,
  TDefinitionView,
  TRunLogLine,
  TRunMailboxView,
  TRunSummary,
  TScheduleView,
  TSiteView,
  TTaskDetail,
  TTaskView,
} from "./views";
