export {};

/**
 * `npm run bench -- <name> [args…]`: runs one benchmark. Benchmarks print figures and assert nothing
 * (docs/CONVENTIONS.md); their results are recorded in docs/benchmarks.md.
 */
const BENCHMARKS: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  sync: () => import("./sync"),
};

const [benchName, ...args] = process.argv.slice(2);
const load = benchName ? BENCHMARKS[benchName] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join("|")}> [args]`);
  process.exit(2);
}
await (await load()).run(args);
