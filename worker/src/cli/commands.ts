/**
 * Every `coffer` command, one line each. To add a command, write `./<name>.ts` exporting
 * `defineCommand({...})` (see ./command.ts) and add its line here; `coffer --help` lists them in
 * alphabetical order of these export names.
 */
export { cat } from "./cat";
export { catPim } from "./cat-pim";
export { deprovision } from "./deprovision";
export { doctor } from "./doctor";
export { hold } from "./hold";
export { ls } from "./ls";
export { lsPim } from "./ls-pim";
export { policy } from "./policy";
export { purge } from "./purge";
export { search } from "./search";
export { sync } from "./sync";
export { syncPimCommand } from "./sync-pim";
export { tasks } from "./tasks";
export { worker } from "./worker";
