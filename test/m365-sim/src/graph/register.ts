import type { Simulator } from "../sim";
import { registerMailRead } from "./mail";
import { registerUsers } from "./users";

/** All Graph routes, served under both `/v1.0` and `/beta`. */
export function registerGraph(sim: Simulator): void {
  registerUsers(sim.graph);
  registerMailRead(sim.graph);
}
