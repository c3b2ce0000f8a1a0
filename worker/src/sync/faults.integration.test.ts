import type { MailboxRow } from "@coffer/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMailboxAt } from "./list-mailbox";
import { resolveMailbox, syncMailbox } from "./sync-mailbox";
import { comparable, makeMessage, truthOf } from "./testing/compare";
import { startHarness, type THarness } from "./testing/harness";
import { recordTraffic, retryAfterViolations } from "./testing/traffic";

const UPN = "faults@contoso.example";
let h: THarness;
let mailbox: MailboxRow;

beforeAll(async () => {
  h = await startHarness();
  await h.ctl.createUser({ userPrincipalName: UPN, displayName: "Faults" });
  for (const folder of ["Inbox", "Projects", "Projects/Beta", "Receipts"]) {
    for (let i = 0; i < 12; i++) {
      await h.ctl.uploadMessage(UPN, makeMessage({ subject: `${folder} #${i}` }), { folder });
    }
  }
  mailbox = await resolveMailbox(h.deps, UPN);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

async function expectConverged(): Promise<void> {
  expect(comparable(await listMailboxAt(h.db, mailbox.id))).toEqual(truthOf(await h.ctl.state(UPN)));
}

describe("with faults injected the archive still converges to the truth", () => {
  it("429, 503, 504 and connection resets: retried, Retry-After honoured", async () => {
    const traffic = recordTraffic(h.sim);
    await h.ctl.setFaults({
      throttle: true,
      rate429: 0.02,
      rate503: 0.02,
      rate504: 0.04,
      resetRate: 0.04,
      retryAfterSeconds: 1,
      seed: 42,
    });
    try {
      const stats = await syncMailbox(h.deps, mailbox);
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.retries).toBeGreaterThan(stats.throttled);
    } finally {
      traffic.stop();
      await h.ctl.setFaults({ throttle: false });
    }
    await expectConverged();
    const statuses = new Set(traffic.events.map((e) => e.status));
    expect(statuses.has(429) && statuses.has(503) && statuses.has(504)).toBe(true);
    expect(retryAfterViolations(traffic.events)).toEqual([]);
  });

  it("expired delta tokens: full re-enumeration and reconciliation, once", async () => {
    // Changes the next sync must catch although every stored delta link is refused with 410.
    const state = await h.ctl.state(UPN);
    const inProjects = state.messages.filter((m) => m.folderPath === "Projects");
    await h.ctl.deleteMessage(UPN, inProjects[0]!.id);
    await h.ctl.moveMessage(UPN, inProjects[1]!.id, "Receipts");
    await h.ctl.uploadMessage(UPN, makeMessage({ subject: "new while tokens expire" }), {
      folder: "Projects/Beta",
    });
    await h.ctl.updateFolder(UPN, "Receipts", { displayName: "Receipts 2026" });

    await h.ctl.setFaults({ throttle: false, expireDeltaTokens: true });
    try {
      const stats = await syncMailbox(h.deps, mailbox);
      expect(stats).toMatchObject({ added: 1, changed: 1, removed: 1 });
    } finally {
      await h.ctl.setFaults({ throttle: false });
    }
    await expectConverged();
    // And the new delta links work incrementally again.
    await h.ctl.uploadMessage(UPN, makeMessage({ subject: "after the tokens came back" }), {
      folder: "Inbox",
    });
    const after = await syncMailbox(h.deps, mailbox);
    expect(after).toMatchObject({ added: 1, changed: 0, removed: 0 });
    await expectConverged();
  });
});
