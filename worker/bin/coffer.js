#!/usr/bin/env -S node --max-semi-space-size=32 --min-semi-space-size=16
// The `coffer` command. The V8 flags above give the sync a larger young generation: each message leaves
// megabytes of short-lived buffers and strings, and with the default size many of them survive into the old
// generation before they die (measured: +8% messages/s, see docs/benchmarks.md). A shebang only applies
// when the file is run as a program (`npx coffer`, `./coffer.js`); our own spawners pass the same flags
// (worker/src/runtime/node-flags.ts, checked against this line by a test).
import { loadCli } from "./launch.js";

const { main } = await loadCli();
process.exitCode = await main(process.argv);
