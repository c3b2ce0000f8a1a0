import { runTask } from "../tasks/run-task";
import { defineJob } from "./job";
import { JOB_NAMES } from "./names";
import { ZRunTaskPayload } from "./run-task-payload";

/** task.run — one execution of an Exchange Task (started by its job scheduler or by "run now"). */
export const runTaskJob = defineJob({
  name: JOB_NAMES.runTask,
  schema: ZRunTaskPayload,
  handle: (payload, { engine, scheduledAt }) =>
    runTask(engine, {
      taskId: payload.taskId,
      trigger: payload.trigger,
      requestedBy: payload.requestedBy,
      scheduledAt,
    }),
});
