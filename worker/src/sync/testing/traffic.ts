import type { SimulatorHandle } from "@coffer/test/m365-sim/src/index";

type TRoute = (
  req: { path: string },
  raw: unknown,
) => Promise<{ res: { status: number; headers?: Record<string, string> } }>;

export type TTrafficEvent = {
  at: number;
  done: number;
  mailbox: string;
  status: number;
  retryAfterMs?: number;
};

/**
 * Records every Graph request the in-process simulator serves (arrival, completion, status, Retry-After),
 * per mailbox, to check from the server's side that a client honours Retry-After.
 */
export function recordTraffic(sim: SimulatorHandle): { events: TTrafficEvent[]; stop(): void } {
  const target = sim.simulator as unknown as { route: TRoute };
  const original = target.route;
  const events: TTrafficEvent[] = [];
  target.route = async function (this: unknown, req, raw) {
    const at = Date.now();
    const result = await original.call(this, req, raw);
    const m = /\/users\/([^/?]+)/i.exec(req.path);
    if (m) {
      const ra = result.res.headers?.["Retry-After"] ?? result.res.headers?.["retry-after"];
      events.push({
        at,
        done: Date.now(),
        mailbox: decodeURIComponent(m[1]!).toLowerCase(),
        status: result.res.status,
        ...(ra ? { retryAfterMs: Number(ra) * 1000 } : {}),
      });
    }
    return result;
  };
  return {
    events,
    stop: () => {
      target.route = original;
    },
  };
}

/**
 * Requests that arrived while a Retry-After the same mailbox was given had not expired yet. Requests that
 * arrive within `graceMs` of the throttled answer were already on their way (sent before the client could
 * know) and are not counted.
 */
export function retryAfterViolations(events: readonly TTrafficEvent[], graceMs = 100): TTrafficEvent[] {
  const out: TTrafficEvent[] = [];
  for (const t of events) {
    if (!t.retryAfterMs) continue;
    for (const e of events) {
      if (e.mailbox === t.mailbox && e.at > t.done + graceMs && e.at < t.done + t.retryAfterMs) out.push(e);
    }
  }
  return out;
}
