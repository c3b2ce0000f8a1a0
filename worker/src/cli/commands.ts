/**
 * Every `coffer` command, one line each. To add a command, write `./<name>.ts` exporting
 * `defineCommand({...})` (see ./command.ts) and add its line here; `coffer --help` lists them in
 * alphabetical order of these export names.
 */
export { doctor } from "./doctor";
