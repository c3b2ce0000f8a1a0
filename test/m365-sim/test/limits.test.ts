import { GraphError } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appToken, deltaRound, graphClient, mimeMessage, raw, startTestSim, type TestSim } from "./helpers";

let t: TestSim;
let token: string;
let upn: string;
let other: string;

beforeAll(async () => {
  t = await startTestSim({ tenant: { seed: 21, users: 2, messagesPerUser: 12 } });
  token = await appToken(t);
  const users = await t.ctl.users();
  upn = users[0]?.userPrincipalName as string;
  other = users[1]?.userPrincipalName as string;
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.ctl.setFaults({});
  await t.ctl.resetStats();
});

const inbox = (who = upn) => `/v1.0/users/${encodeURIComponent(who)}/mailFolders/inbox`;

describe("Outlook throttling", () => {
  it("limits requests per app per mailbox in a sliding window: 429 ApplicationThrottled with Retry-After", async () => {
    await t.ctl.setFaults({ limits: { requestsPerWindow: 5, windowMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await raw(t, "GET", inbox(), { token })).status).toBe(200);
    const r = await raw(t, "GET", inbox(), { token });
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({
      code: "ApplicationThrottled",
      message: "Application is over its MailboxConcurrency limit.",
    });
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(1);
    // another mailbox has its own budget; directory calls are not Outlook calls
    expect((await raw(t, "GET", inbox(other), { token })).status).toBe(200);
    expect((await raw(t, "GET", "/v1.0/users?$top=1", { token })).status).toBe(200);
    const stats = await t.ctl.stats();
    expect(stats.mailboxes[upn]).toMatchObject({ requests: 6, throttled: 1 });
    expect(stats.mailboxes[other]).toMatchObject({ requests: 1, throttled: 0 });
  });

  it("allows 4 concurrent requests per app and mailbox and rejects the rest", async () => {
    await t.ctl.setFaults({ latencyMs: 400 });
    const results = await Promise.all(Array.from({ length: 6 }, () => raw(t, "GET", inbox(), { token })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const throttled = results.find((r) => r.status === 429);
    expect(throttled?.headers.get("retry-after")).toBe("1");
    expect(throttled?.json.error?.code).toBe("ApplicationThrottled");
    const stats = await t.ctl.stats();
    expect(stats.mailboxes[upn]).toMatchObject({ maxConcurrency: 4, throttled: 2 });
  });

  it("is switchable: with throttle off nothing is rejected", async () => {
    await t.ctl.setFaults({ throttle: false, latencyMs: 200, limits: { requestsPerWindow: 2 } });
    const results = await Promise.all(Array.from({ length: 8 }, () => raw(t, "GET", inbox(), { token })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await t.ctl.stats()).mailboxes[upn]?.maxConcurrency).toBeGreaterThan(4);
  });

  it("the Graph SDK's RetryHandler honours Retry-After and gets through", async () => {
    await t.ctl.setFaults({ latencyMs: 300 });
    const client = graphClient(t, token);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => client.api(`/users/${upn}/mailFolders/inbox`).get()),
    );
    expect(results.every((f) => f.displayName === "Inbox")).toBe(true);
    const stats = await t.ctl.stats();
    expect(stats.mailboxes[upn]?.throttled).toBeGreaterThan(0);
    expect(stats.mailboxes[upn]?.requests).toBe(6 + (stats.mailboxes[upn]?.throttled ?? 0));
  });
});

describe("faults", () => {
  it("rate429: 429 with Retry-After; the SDK retries, then gives up with GraphError 429", async () => {
    await t.ctl.setFaults({ rate429: 1, maxFaults: 2 });
    const ok = await graphClient(t, token).api(`/users/${upn}/mailFolders/inbox`).get();
    expect(ok.displayName).toBe("Inbox");
    expect((await t.ctl.stats()).faultsInjected).toBe(2);

    await t.ctl.setFaults({ rate429: 1 });
    await t.ctl.resetStats();
    const r = await raw(t, "GET", inbox(), { token });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("1");
    expect(r.json.error?.code).toBe("TooManyRequests");
    const err = await graphClient(t, token)
      .api(`/users/${upn}/mailFolders/inbox`)
      .get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).statusCode).toBe(429);
    // the SDK tried 1 + 3 times
    expect((await t.ctl.stats()).mailboxes[upn]?.throttled).toBe(1 + 4);
  }, 20_000);

  it("rate503: 503 with an empty body and Retry-After", async () => {
    await t.ctl.setFaults({ rate503: 1 });
    const r = await raw(t, "GET", inbox(), { token });
    expect(r.status).toBe(503);
    expect(r.bytes.length).toBe(0);
    expect(r.headers.get("retry-after")).toBe("1");
  });

  it("rate504: 504 GatewayTimeout", async () => {
    await t.ctl.setFaults({ rate504: 1 });
    const r = await raw(t, "GET", inbox(), { token });
    expect(r.status).toBe(504);
    expect(r.json.error?.code).toBe("GatewayTimeout");
  });

  it("resetRate: the connection is dropped without a response", async () => {
    await t.ctl.setFaults({ resetRate: 1, maxFaults: 1 });
    await expect(raw(t, "GET", inbox(), { token })).rejects.toThrow();
    expect((await raw(t, "GET", inbox(), { token })).status).toBe(200);
  });

  it("latencyMs: requests are held (two parallel requests overlap)", async () => {
    await t.ctl.setFaults({ latencyMs: 250 });
    const [a, b] = await Promise.all([raw(t, "GET", inbox(), { token }), raw(t, "GET", inbox(), { token })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await t.ctl.stats()).mailboxes[upn]?.maxConcurrency).toBe(2);
  });

  it("expireDeltaTokens: every token answers 410 SyncStateNotFound; a fresh delta works", async () => {
    const url = `/v1.0/users/${encodeURIComponent(upn)}/mailFolders/inbox/messages/delta?$select=id`;
    await t.ctl.uploadMessage(upn, mimeMessage({ subject: "a" }));
    await t.ctl.uploadMessage(upn, mimeMessage({ subject: "b" }));
    const r1 = await deltaRound(t, token, url);
    await t.ctl.setFaults({ expireDeltaTokens: true });
    const stale = await raw(t, "GET", r1.deltaLink, { token });
    expect(stale.status).toBe(410);
    expect(stale.json.error?.code).toBe("SyncStateNotFound");
    expect(stale.headers.get("location")).toContain("/messages/delta");
    const fresh = await raw(t, "GET", url, { token, headers: { Prefer: "odata.maxpagesize=1" } });
    expect(fresh.status).toBe(200);
    expect((await raw(t, "GET", fresh.json["@odata.nextLink"] as string, { token })).status).toBe(410);
    await t.ctl.setFaults({});
    expect((await raw(t, "GET", r1.deltaLink, { token })).status).toBe(200);
  });

  it("deltaReplayRate: pages repeat items already sent in the round", async () => {
    const url = `/v1.0/users/${encodeURIComponent(upn)}/mailFolders/inbox/messages/delta?$select=id`;
    await t.ctl.uploadMessage(upn, mimeMessage({ subject: "c" }));
    const plain = await deltaRound(t, token, url, { Prefer: "odata.maxpagesize=1" });
    await t.ctl.setFaults({ deltaReplayRate: 1 });
    const replayed = await deltaRound(t, token, url, { Prefer: "odata.maxpagesize=1" });
    const ids = replayed.items.map((m) => m.id as string);
    expect(new Set(ids).size).toBe(plain.items.length);
    expect(ids.length).toBeGreaterThan(new Set(ids).size);
  });

  it("match limits faults to matching paths", async () => {
    await t.ctl.setFaults({ rate504: 1, match: "/messages" });
    expect((await raw(t, "GET", inbox(), { token })).status).toBe(200);
    expect((await raw(t, "GET", `${inbox()}/messages`, { token })).status).toBe(504);
  });

  it("rejects invalid fault settings", async () => {
    await expect(t.ctl.setFaults({ rate429: 2 })).rejects.toMatchObject({ status: 400 });
  });
});

describe("stats", () => {
  it("counts requests and bytes per mailbox", async () => {
    const r = await raw(t, "GET", `${inbox()}/messages?$top=5`, { token });
    const stats = await t.ctl.stats();
    expect(stats.mailboxes[upn]).toMatchObject({ requests: 1, throttled: 0, maxConcurrency: 1, bytesIn: 0 });
    expect(stats.mailboxes[upn]?.bytesOut).toBe(r.bytes.length);
    expect(stats.total.requests).toBe(1);
  });
});

describe("errors", () => {
  it("uses Graph's error JSON with request ids", async () => {
    const r = await raw(t, "GET", `${inbox()}/messages/AAMkAGI2THVSAAA=`, {
      token,
      headers: { "client-request-id": "abc-123" },
    });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({
      code: "ErrorItemNotFound",
      message: "The specified object was not found in the store.",
    });
    expect(
      (r.json.error as unknown as { innerError: Record<string, string> }).innerError["client-request-id"],
    ).toBe("abc-123");
    expect(r.headers.get("request-id")).toBeTruthy();
    const folder = await raw(t, "GET", `/v1.0/users/${upn}/mailFolders/AAMkAGI2THVSAAA=`, { token });
    expect(folder.json.error?.code).toBe("ErrorItemNotFound");
    const route = await raw(t, "GET", `/v1.0/users/${upn}/nonsense`, { token });
    expect(route.status).toBe(400);
  });
});
