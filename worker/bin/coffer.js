#!/usr/bin/env node
// The `coffer` command. Coffer's TypeScript runs without a build step: tsx's ESM loader is registered for
// this process first, then the CLI's entry is imported from source.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
