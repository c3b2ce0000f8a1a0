// Entry of a MIME analysis thread (analyzer-pool.ts). Plain JavaScript: a new thread has no TypeScript
// loader until tsx registers one, as bin/coffer.js does for the process.
import { register } from "tsx/esm/api";

register();
const { parentPort } = await import("node:worker_threads");
const { analyzeBytes } = await import("./analyze-mime.ts");

parentPort.on("message", async ({ id, bytes }) => {
  const analysis = await analyzeBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  parentPort.postMessage({ id, analysis });
});
parentPort.postMessage({ ready: true });
