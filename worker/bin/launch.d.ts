// Types of launch.js for the TypeScript that imports it (its tests).
export function currentBuild(root: string): string | undefined;
export function isInUse(dir: string): boolean;
export function buildBundle(root: string): Promise<string>;
export function ensureBundle(root?: string): Promise<string>;
export function loadCli(root?: string): Promise<{ main: (argv: readonly string[]) => Promise<number> }>;
