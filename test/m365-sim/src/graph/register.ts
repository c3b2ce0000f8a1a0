import { registerPim } from "../model/pim";
import type { Simulator } from "../sim";
import { registerAttachments } from "./attachments";
import { runBatch } from "./batch";
import { registerCalendarPermissions } from "./calendar-permissions";
import { registerGroups } from "./groups";
import { registerMailRead } from "./mail";
import { registerMailWrite } from "./mail-write";
import { registerUsers } from "./users";

/** All Graph routes, served under both `/v1.0` and `/beta`. */
export function registerGraph(sim: Simulator): void {
  registerUsers(sim.graph);
  registerGroups(sim.graph);
  registerMailRead(sim.graph);
  registerMailWrite(sim.graph);
  registerAttachments(sim);
  registerCalendarPermissions(sim.graph);
  sim.graph.add("POST", "$batch", runBatch);
  registerPim(sim);
}
