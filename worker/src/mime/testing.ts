import { createMimeAnalyzer, type TMimeAnalysis, type TMimeAnalyzerOptions } from "./analyze-mime";

/** Writes a message into the streaming analyser `chunk` bytes at a time (tests: the seams between writes). */
export async function analyzeInChunks(
  bytes: Buffer,
  chunk = 4096,
  options: TMimeAnalyzerOptions = {},
): Promise<TMimeAnalysis> {
  const a = createMimeAnalyzer(options);
  for (let i = 0; i < bytes.length; i += chunk) {
    if (!a.writable.write(bytes.subarray(i, i + chunk)))
      await new Promise((r) => a.writable.once("drain", r));
  }
  a.writable.end();
  return a.result;
}
