import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { analyzeBytes, type TMimeAnalysis } from "./analyze-mime";

type TPending = { bytes: Buffer; resolve: (a: TMimeAnalysis) => void };

/**
 * MIME analysis of buffered messages on a thread of its own. The sync's event loop spends most of its time
 * on HTTP, the database, hashing and compressing; parsing was a fifth of it and is independent of the rest,
 * so on a machine with more than one core it runs beside them instead of between them.
 *
 * Never a reason to lose a message: if the thread cannot start or dies, what it had and everything after is
 * analysed in this thread. The thread holds the process open only while it has work.
 */
export class MimeAnalyzerPool {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, TPending>();
  private nextId = 1;
  private isBroken = false;
  /** Messages the thread analysed (tests, diagnostics). */
  answeredByThread = 0;

  constructor(private readonly entry = new URL("./analyzer-thread.mjs", import.meta.url)) {}

  analyze(bytes: Buffer): Promise<TMimeAnalysis> {
    const worker = this.isBroken ? undefined : this.start();
    if (!worker) return analyzeBytes(bytes);
    const id = this.nextId++;
    return new Promise<TMimeAnalysis>((resolve) => {
      this.pending.set(id, { bytes, resolve });
      if (this.pending.size === 1) worker.ref();
      // A copy goes over (the caller stores the same bytes meanwhile), so nothing is transferred away.
      worker.postMessage({ id, bytes });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.isBroken = true;
    this.fallBack();
    if (worker) await worker.terminate();
  }

  private start(): Worker | undefined {
    if (this.worker) return this.worker;
    try {
      // Small heaps: a thread parses one buffered message (≤ 1 MB) at a time, and the worker's memory bound
      // (300 MB whatever the mailbox) is shared with it. Running out ends the thread: work falls back here.
      const worker = new Worker(this.entry, {
        resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 },
      });
      worker.unref();
      worker.on("message", (m: { id?: number; analysis?: TMimeAnalysis }) => {
        if (m.id === undefined || !m.analysis) return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        this.answeredByThread++;
        p.resolve(m.analysis);
      });
      const fail = () => {
        this.isBroken = true;
        this.worker = undefined;
        this.fallBack();
      };
      worker.on("error", fail);
      worker.on("exit", fail);
      this.worker = worker;
      return worker;
    } catch {
      this.isBroken = true;
      return undefined;
    }
  }

  /** Whatever the thread had not answered is analysed here. */
  private fallBack(): void {
    const left = [...this.pending.values()];
    this.pending.clear();
    for (const p of left) void analyzeBytes(p.bytes).then(p.resolve);
  }
}

let shared: MimeAnalyzerPool | undefined;
let hasCoresToSpare: boolean | undefined;

/**
 * The process's pool, from 4 cores up. Below that the other cores are busy with PostgreSQL (measured on 2
 * cores: +3% messages/s for +40 MB of peak RSS, against the worker's 300 MB bound), so parsing stays here.
 */
export function sharedMimeAnalyzerPool(): MimeAnalyzerPool | undefined {
  // Asked once: it is a system call, and this runs for every message.
  hasCoresToSpare ??= availableParallelism() >= 4;
  if (!hasCoresToSpare) return undefined;
  shared ??= new MimeAnalyzerPool();
  return shared;
}
