/**
 * The Node.js flags a worker process runs with: a larger young generation for the sync's many short-lived
 * buffers and strings (see bin/coffer.js). `coffer` run as a program takes them from its shebang; whoever
 * spawns `node bin/coffer.js` passes these. A test keeps the two the same.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=32", "--min-semi-space-size=16"];
