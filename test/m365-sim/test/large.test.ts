import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appToken, deltaRound, raw, startTestSim, type TestSim } from "./helpers";

/**
 * A benchmark-sized mailbox built from the generator's recipes: delta over record fields never builds
 * the MIME, and the huge message streams through `$value`.
 */

let t: TestSim;
let token: string;
const upn = "archive.bench@contoso.example";
const HUGE = 30 * 1024 * 1024;
const COUNT = 20_000;

beforeAll(async () => {
  t = await startTestSim({ generator: "auto" });
  await t.ctl.createUser({ userPrincipalName: upn, displayName: "Archive Benchmark" });
  token = await appToken(t);
});
afterAll(() => t.close());

describe("large mailbox", () => {
  it("holds 20,000 generated messages, pages through them all by delta, and streams the huge one", async () => {
    const created = await t.ctl.largeMailbox(upn, { seed: 4, messages: COUNT, hugeMessageBytes: HUGE });
    expect(created.messages).toBe(COUNT);
    expect(created.hugeMessageId).toBeDefined();

    const folders = await deltaRound(
      t,
      token,
      `/v1.0/users/${upn}/mailFolders/delta?$select=id,displayName`,
      { Prefer: "odata.maxpagesize=100" },
    );
    let total = 0;
    const ids = new Set<string>();
    for (const f of folders.items) {
      const round = await deltaRound(
        t,
        token,
        `/v1.0/users/${upn}/mailFolders/${f.id}/messages/delta?$select=id,receivedDateTime,parentFolderId`,
        { Prefer: "odata.maxpagesize=1000" },
      );
      total += round.items.length;
      for (const m of round.items) ids.add(m.id as string);
    }
    expect(total).toBe(COUNT);
    expect(ids.size).toBe(COUNT);

    const res = await t.fetch(`${t.h.url}/v1.0/users/${upn}/messages/${created.hugeMessageId}/$value`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const hash = createHash("sha256");
    let n = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      n += chunk.length;
    }
    expect(Number(res.headers.get("content-length"))).toBe(n);
    expect(hash.digest("hex")).toBe(created.hugeMessageSha256);
    expect(n).toBeGreaterThanOrEqual(HUGE);
    const meta = await raw(
      t,
      "GET",
      `/v1.0/users/${upn}/messages/${created.hugeMessageId}?$select=subject,hasAttachments`,
      { token },
    );
    expect(meta.json.hasAttachments).toBe(true);
    console.log(
      `large mailbox: ${COUNT} messages, simulator heap ${process.memoryUsage().heapUsed >> 20} MB, rss ${process.memoryUsage().rss >> 20} MB`,
    );
  }, 180_000);
});
