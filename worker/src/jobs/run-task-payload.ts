import { z } from "zod";

/** The payload of a task run job: ids only, never settings or secrets (BullMQ stores it in clear text). */
export const ZRunTaskPayload = z.object({
  taskId: z.uuid(),
  trigger: z.enum(["schedule", "manual", "startup"]),
  /** Who asked for a manual run (audit and log line). */
  requestedBy: z.string().max(200).optional(),
  /** Set by the scheduler reconciler: the repeat options the scheduler was created with. */
  sig: z.string().max(500).optional(),
});
export type TRunTaskPayload = z.infer<typeof ZRunTaskPayload>;
