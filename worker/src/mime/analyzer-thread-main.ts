import { parentPort } from "node:worker_threads";
import { analyzeBytes } from "./analyze-mime";

// A MIME analysis thread (analyzer-pool.ts): analyses the buffered messages it is sent, one answer each.
const port = parentPort;
if (!port) throw new Error("analyzer-thread-main runs as a worker thread of analyzer-pool.ts");
port.on("message", async ({ id, bytes }: { id: number; bytes: Uint8Array }) => {
  const analysis = await analyzeBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  port.postMessage({ id, analysis });
});
port.postMessage({ ready: true });
