/**
 * Every `coffer` command, one line each. To add a command, write `./<name>.ts` exporting
 * `defineCommand({...})` (see ./command.ts) and add its line here; `coffer --help` lists them in
 * alphabetical order of these export names.
 */
export { cat } from "./cat";
export { doctor } from "./doctor";
export { ls } from "./ls";
export { search } from "./search";
export { sync } from "./sync";
export { tasks } from "./tasks";
export { worker } from "./worker";
