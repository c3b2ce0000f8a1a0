// Entry of a MIME analysis thread (analyzer-pool.ts) when Coffer runs from its sources. Plain JavaScript: a
// new thread has no TypeScript loader until tsx registers one. In a bundle (bin/launch.js) the file of this
// name beside the CLI's is analyzer-thread-main.ts itself, bundled.
import { register } from "tsx/esm/api";

register();
await import("./analyzer-thread-main.ts");
