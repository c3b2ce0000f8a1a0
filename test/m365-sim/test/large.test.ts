import { createHash } from "node:crypto";
import { simpleParser } from "mailparser";
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

  it("answers header fields from the plan, and state sha256/size are those of the $value bytes", async () => {
    const owner = "records.bench@contoso.example";
    await t.ctl.createUser({ userPrincipalName: owner, displayName: "Records Benchmark" });
    await t.ctl.largeMailbox(owner, { seed: 9, messages: 2000 });
    const state = await t.ctl.state(owner);
    expect(state.messages).toHaveLength(2000);
    const byId = new Map(state.messages.map((m) => [m.id, m]));

    const folders = await deltaRound(t, token, `/v1.0/users/${owner}/mailFolders/delta?$select=id`);
    const items: Array<Record<string, unknown>> = [];
    for (const f of folders.items) {
      const round = await deltaRound(
        t,
        token,
        `/v1.0/users/${owner}/mailFolders/${f.id}/messages/delta?$select=internetMessageId,subject,from,hasAttachments,sentDateTime`,
        { Prefer: "odata.maxpagesize=500" },
      );
      items.push(...round.items);
    }
    expect(items).toHaveLength(2000);
    for (const item of items)
      expect(item.internetMessageId).toBe(byId.get(item.id as string)?.internetMessageId);

    // A sample of $value downloads: the bytes say what delta said, and hash to what state said
    for (const item of items.filter((_, k) => k % 97 === 0)) {
      const res = await t.fetch(`${t.h.url}/v1.0/users/${owner}/messages/${item.id}/$value`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
      const recorded = byId.get(item.id as string)!;
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(recorded.sha256);
      expect(bytes.length).toBe(recorded.size);
      const parsed = await simpleParser(bytes, { skipHtmlToText: true, skipTextToHtml: true });
      expect(item.subject).toBe(parsed.subject ?? "");
      expect((item.from as { emailAddress: { address: string } }).emailAddress.address).toBe(
        parsed.from?.value[0]?.address,
      );
      expect(item.hasAttachments).toBe(parsed.attachments.some((a) => a.contentDisposition === "attachment"));
      expect(item.sentDateTime).toBe(parsed.date?.toISOString().replace(".000Z", "Z"));
    }
    // The second state call answers from remembered digests
    expect((await t.ctl.state(owner)).messages).toEqual(state.messages);
  }, 180_000);
});
