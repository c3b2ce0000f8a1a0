import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { PageIterator } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appToken, deltaRound, graphClient, mimeMessage, raw, startTestSim, type TestSim } from "./helpers";

let t: TestSim;
let token: string;
let upn: string;
const FIXTURES = "/work/shared/fixtures/mime";

beforeAll(async () => {
  t = await startTestSim({ tenant: { seed: 11, users: 2, messagesPerUser: 60 } });
  token = await appToken(t);
  upn = ((await t.ctl.users())[0] as { userPrincipalName: string }).userPrincipalName;
});
afterAll(() => t.close());

const u = () => `/v1.0/users/${encodeURIComponent(upn)}`;
const IMMUTABLE = { Prefer: 'IdType="ImmutableId"' };

describe("mail folders", () => {
  it("lists the top level only in v1.0, hides hidden folders unless asked, and resolves well-known names", async () => {
    const top = await raw(t, "GET", `${u()}/mailFolders?$top=100`, { token });
    const names = top.json.value?.map((f) => f.displayName);
    expect(names).toEqual(
      expect.arrayContaining(["Inbox", "Sent Items", "Deleted Items", "Drafts", "Archive", "Junk Email"]),
    );
    expect(names).not.toContain("Projects");
    expect(names).not.toContain("Scheduled");
    const hidden = await raw(t, "GET", `${u()}/mailFolders?includeHiddenFolders=true&$top=100`, { token });
    expect(hidden.json.value?.map((f) => f.displayName)).toContain("Scheduled");
    const inbox = top.json.value?.find((f) => f.displayName === "Inbox") as Record<string, unknown>;
    const wk = await raw(t, "GET", `${u()}/mailFolders/inbox`, { token });
    expect(wk.json.id).toBe(inbox.id);
    expect(Object.keys(wk.json)).toEqual(
      expect.arrayContaining([
        "id",
        "displayName",
        "parentFolderId",
        "childFolderCount",
        "unreadItemCount",
        "totalItemCount",
        "isHidden",
      ]),
    );
    expect(wk.json).not.toHaveProperty("wellKnownName");
    const beta = await raw(t, "GET", `/beta/users/${encodeURIComponent(upn)}/mailFolders/sentitems`, {
      token,
    });
    expect(beta.json.wellKnownName).toBe("sentitems");
    const root = await raw(t, "GET", `${u()}/mailFolders/msgfolderroot`, { token });
    expect(inbox.parentFolderId).toBe(root.json.id);
  });

  it("lists child folders (recursion by childFolderCount works)", async () => {
    const inbox = await raw(t, "GET", `${u()}/mailFolders/inbox`, { token });
    expect(inbox.json.childFolderCount).toBe(1);
    const kids = await raw(t, "GET", `${u()}/mailFolders/inbox/childFolders`, { token });
    expect(kids.json.value?.map((f) => f.displayName)).toEqual(["Projects"]);
  });

  it("folder delta returns the whole tree flat with parentFolderId, then only changes", async () => {
    const first = await deltaRound(t, token, `${u()}/mailFolders/delta`, { Prefer: "odata.maxpagesize=4" });
    expect(first.pages).toBeGreaterThan(1);
    const byName = new Map(first.items.map((f) => [f.displayName as string, f]));
    const projects = byName.get("Projects") as Record<string, unknown>;
    const y2026 = byName.get("2026") as Record<string, unknown>;
    expect(y2026.parentFolderId).toBe(projects.id);
    expect(projects.parentFolderId).toBe(byName.get("Inbox")?.id);
    expect(first.items.every((f) => f["@odata.type"] === "#microsoft.graph.mailFolder")).toBe(true);

    const created = await t.ctl.createFolder(upn, "Inbox/Projects/Alpha");
    const second = await deltaRound(t, token, first.deltaLink);
    expect(second.items.map((f) => f.id)).toContain(created.id);
    await t.ctl.deleteFolder(upn, created.id);
    const third = await deltaRound(t, token, second.deltaLink);
    expect(third.items).toContainEqual({
      "@odata.type": "#microsoft.graph.mailFolder",
      id: created.id,
      "@removed": { reason: "deleted" },
    });
  });
});

describe("messages", () => {
  it("lists with $top and @odata.nextLink ($skip), matching the control API's truth", async () => {
    const client = graphClient(t, token);
    const state = await t.ctl.state(upn);
    const first = await client
      .api(`/users/${upn}/mailFolders/inbox/messages`)
      .select("id,subject,internetMessageId")
      .top(3)
      .get();
    expect(first["@odata.nextLink"]).toContain("$skip=3");
    const ids: string[] = [];
    await new PageIterator(client, first, (m: { id: string }) => {
      ids.push(m.id);
      return true;
    }).iterate();
    expect(ids.sort()).toEqual(
      state.messages
        .filter((m) => m.folderPath === "Inbox")
        .map((m) => m.id)
        .sort(),
    );
  });

  it("serves $value byte for byte as uploaded through the control API", async () => {
    const fixture = readFileSync(`${FIXTURES}/mailparser/nodemailer.eml`);
    const up = await t.ctl.uploadMessage(upn, fixture, {
      folder: "Inbox/Projects",
      receivedDateTime: "2026-03-01T08:00:00Z",
    });
    expect(up.sha256).toBe(createHash("sha256").update(fixture).digest("hex"));
    const r = await raw(t, "GET", `${u()}/messages/${up.id}/$value`, { token });
    expect(r.status).toBe(200);
    expect(r.bytes.equals(fixture)).toBe(true);
    // and through the SDK's stream API
    const stream = (await graphClient(t, token)
      .api(`/users/${upn}/messages/${up.id}/$value`)
      .getStream()) as AsyncIterable<Uint8Array>;
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).equals(fixture)).toBe(true);
    const state = await t.ctl.state(upn);
    const row = state.messages.find((m) => m.id === up.id);
    expect(row).toMatchObject({
      folderPath: "Inbox/Projects",
      sha256: up.sha256,
      size: fixture.length,
      receivedDateTime: "2026-03-01T08:00:00.000Z",
    });
  });

  it("gets one message with $select; internetMessageHeaders only when selected", async () => {
    const up = await t.ctl.uploadMessage(
      upn,
      mimeMessage({ subject: "Héllo wörld", messageId: "<sel-1@fabrikam.example>" }),
    );
    const full = await raw(t, "GET", `${u()}/messages/${up.id}`, { token });
    expect(full.json).toMatchObject({
      subject: "Héllo wörld",
      internetMessageId: "<sel-1@fabrikam.example>",
      isDraft: false,
      from: { emailAddress: { name: "Alice Example", address: "alice@fabrikam.example" } },
    });
    expect(full.json.body).toMatchObject({ contentType: "text" });
    expect(full.json).not.toHaveProperty("internetMessageHeaders");
    const sel = await raw(t, "GET", `${u()}/messages/${up.id}?$select=subject,internetMessageHeaders`, {
      token,
    });
    expect(Object.keys(sel.json).sort()).toEqual(
      ["@odata.context", "@odata.etag", "id", "internetMessageHeaders", "subject"].sort(),
    );
    expect(sel.json.internetMessageHeaders).toContainEqual({
      name: "Message-ID",
      value: "<sel-1@fabrikam.example>",
    });
    const missing = await raw(
      t,
      "GET",
      `${u()}/messages/AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OABGAAAAAAAiQ8W967B7TKBjgx9rVEURBwAiIsqMbYjsT5e-T7KzowPTAAAAAAEMAAAiIsqMbYjsT5e-T7KzowPTAAAYbvZDAAA=`,
      { token },
    );
    expect(missing.status).toBe(404);
    expect(missing.json.error?.code).toBe("ErrorItemNotFound");
  });
});

describe("message delta", () => {
  it("pages with Prefer: odata.maxpagesize, ends in a deltaLink and then returns only changes", async () => {
    const folder = "Archive";
    const before = (await t.ctl.state(upn)).messages.filter((m) => m.folderPath === folder);
    const url = `${u()}/mailFolders/archive/messages/delta?$select=id,subject,internetMessageId,parentFolderId,isRead`;
    const first = await raw(t, "GET", url, { token, headers: { Prefer: "odata.maxpagesize=3" } });
    expect(first.headers.get("preference-applied")).toBe("odata.maxpagesize=3");
    expect(first.json.value?.length).toBe(3);
    const nextLink = first.json["@odata.nextLink"] as string;
    expect(nextLink).toMatch(/\/mailFolders\('[^']+'\)\/messages\/delta\?\$skiptoken=/);
    const rest = await deltaRound(t, token, nextLink, { Prefer: "odata.maxpagesize=3" });
    const all = [...(first.json.value ?? []), ...rest.items];
    expect(all.map((m) => m.id).sort()).toEqual(before.map((m) => m.id).sort());
    expect(all[0]).toMatchObject({ "@odata.type": "#microsoft.graph.message" });
    expect(String(all[0]?.["@odata.etag"])).toMatch(/^W\/"/);

    // changes: one new, one moved out, one deleted, one marked read
    const [moved, deleted, touched] = before as [(typeof before)[0], (typeof before)[0], (typeof before)[0]];
    const added = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "new arrival" }), { folder });
    await t.ctl.moveMessage(upn, moved.id, "Inbox");
    await t.ctl.deleteMessage(upn, deleted.id);
    await t.ctl.updateMessage(upn, touched.id, { isRead: !touched.isRead });
    const second = await deltaRound(t, token, rest.deltaLink);
    const byId = new Map(second.items.map((m) => [m.id as string, m]));
    expect(byId.get(added.id)).toMatchObject({ subject: "new arrival" });
    expect(byId.get(moved.id)).toEqual({
      "@odata.type": "#microsoft.graph.message",
      id: moved.id,
      "@removed": { reason: "deleted" },
    });
    expect(byId.get(deleted.id)).toMatchObject({ "@removed": { reason: "deleted" } });
    expect(byId.get(touched.id)).toMatchObject({ isRead: !touched.isRead });
    expect(second.items.length).toBe(4);
    // nothing changed since: an empty round with a fresh deltaLink
    const third = await deltaRound(t, token, second.deltaLink);
    expect(third.items).toEqual([]);
  });

  it("sends items that change during a round with their current state, and again in the next round (replay)", async () => {
    const folder = "Inbox/Replay";
    const ups = [];
    for (let i = 0; i < 3; i++)
      ups.push(await t.ctl.uploadMessage(upn, mimeMessage({ subject: `r${i}` }), { folder, isRead: false }));
    const f = (await t.ctl.state(upn)).folders.find((x) => x.path === folder) as { id: string };
    const url = `${u()}/mailFolders/${f.id}/messages/delta?$select=id,isRead`;
    const p1 = await raw(t, "GET", url, { token, headers: { Prefer: "odata.maxpagesize=1" } });
    const first = p1.json.value?.[0]?.id as string;
    // change every item while the round is in progress
    for (const x of ups) await t.ctl.updateMessage(upn, x.id, { isRead: true });
    const rest = await deltaRound(t, token, p1.json["@odata.nextLink"] as string, {
      Prefer: "odata.maxpagesize=1",
    });
    expect(rest.items.every((m) => m.isRead === true)).toBe(true);
    expect([first, ...rest.items.map((m) => m.id)].sort()).toEqual(ups.map((x) => x.id).sort());
    const next = await deltaRound(t, token, rest.deltaLink);
    expect(next.items.map((m) => m.id).sort()).toEqual(ups.map((x) => x.id).sort());
  });

  it("captures the deltaLink with the SDK's PageIterator", async () => {
    const client = graphClient(t, token);
    const first = await client
      .api(`/users/${upn}/mailFolders/sentitems/messages/delta`)
      .select("id")
      .header("Prefer", "odata.maxpagesize=5")
      .get();
    let n = 0;
    const it = new PageIterator(
      client,
      first,
      () => {
        n++;
        return true;
      },
      { headers: { Prefer: "odata.maxpagesize=5" } },
    );
    await it.iterate();
    expect(it.getDeltaLink()).toMatch(/\$deltatoken=/);
    expect(n).toBe((await t.ctl.state(upn)).messages.filter((m) => m.folderPath === "Sent Items").length);
  });

  it("answers stale and superseded tokens with 410 SyncStateNotFound", async () => {
    const url = `${u()}/mailFolders/inbox/messages/delta?$select=id`;
    const p1 = await raw(t, "GET", url, { token, headers: { Prefer: "odata.maxpagesize=2" } });
    const n2 = p1.json["@odata.nextLink"] as string;
    const p2 = await raw(t, "GET", n2, { token, headers: { Prefer: "odata.maxpagesize=2" } });
    expect(p2.status).toBe(200);
    // retrying the page just fetched is fine
    expect((await raw(t, "GET", n2, { token, headers: { Prefer: "odata.maxpagesize=2" } })).status).toBe(200);
    const n3 = p2.json["@odata.nextLink"] as string;
    expect((await raw(t, "GET", n3, { token, headers: { Prefer: "odata.maxpagesize=2" } })).status).toBe(200);
    // n2 is superseded now that a later page of its round was fetched
    const stale = await raw(t, "GET", n2, { token });
    expect(stale.status).toBe(410);
    expect(stale.json.error?.code).toBe("SyncStateNotFound");
    expect(stale.json.error?.message).toMatch(/^The sync state generation is not found; generation=/);

    const round1 = await deltaRound(t, token, url, { Prefer: "odata.maxpagesize=500" });
    const round2 = await deltaRound(t, token, round1.deltaLink);
    expect(round2.items).toEqual([]);
    // round1's deltaLink is superseded by round2's
    const old = await raw(t, "GET", round1.deltaLink, { token });
    expect(old.status).toBe(410);
    expect(old.json.error?.code).toBe("SyncStateNotFound");
    expect((await raw(t, "GET", round2.deltaLink, { token })).status).toBe(200);
    // tokens the simulator never issued
    const bogus = await raw(t, "GET", `${u()}/mailFolders/inbox/messages/delta?$deltatoken=Zm9vYmFy`, {
      token,
    });
    expect(bogus.status).toBe(410);
  });

  it("supports receivedDateTime ge|gt filters and $orderby=receivedDateTime desc; rejects other filters", async () => {
    const state = await t.ctl.state(upn);
    const inbox = state.messages
      .filter((m) => m.folderPath === "Inbox")
      .sort((a, b) => (a.receivedDateTime < b.receivedDateTime ? 1 : -1));
    const secs = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");
    const cutoff = secs((inbox[3] as { receivedDateTime: string }).receivedDateTime);
    const r = await deltaRound(
      t,
      token,
      `${u()}/mailFolders/inbox/messages/delta?$select=receivedDateTime&$filter=receivedDateTime ge ${cutoff}&$orderby=receivedDateTime desc`,
    );
    expect(r.items.map((m) => m.receivedDateTime)).toEqual(
      inbox.slice(0, 4).map((m) => secs(m.receivedDateTime)),
    );
    const bad = await raw(t, "GET", `${u()}/mailFolders/inbox/messages/delta?$filter=subject eq 'x'`, {
      token,
    });
    expect(bad.status).toBe(400);
  });
});

describe("immutable ids", () => {
  it('keeps ids stable across moves with Prefer: IdType="ImmutableId"; REST ids change on a move', async () => {
    const up = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "travelling" }), { folder: "Inbox" });
    const asImmutable = await raw(t, "GET", `${u()}/messages/${up.id}?$select=id`, {
      token,
      headers: IMMUTABLE,
    });
    expect(asImmutable.json.id).toBe(up.immutableId);
    expect(asImmutable.headers.get("preference-applied")).toContain('IdType="ImmutableId"');
    const moved = await t.ctl.moveMessage(upn, up.id, "Archive");
    expect(moved.immutableId).toBe(up.immutableId);
    expect(moved.id).not.toBe(up.id);
    expect((await raw(t, "GET", `${u()}/messages/${up.id}`, { token })).json.error?.code).toBe(
      "ErrorItemNotFound",
    );
    expect((await raw(t, "GET", `${u()}/messages/${moved.id}?$select=id`, { token })).json.id).toBe(moved.id);
    const again = await raw(t, "GET", `${u()}/messages/${up.immutableId}?$select=id,parentFolderId`, {
      token,
      headers: IMMUTABLE,
    });
    expect(again.json.id).toBe(up.immutableId);
    const archive = await raw(t, "GET", `${u()}/mailFolders/archive`, { token });
    expect(again.json.parentFolderId).toBe(archive.json.id);
  });

  it("reports removals in the id format of the request", async () => {
    const url = `${u()}/mailFolders/junkemail/messages/delta?$select=id`;
    const up = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "junk" }), { folder: "Junk Email" });
    const r1 = await deltaRound(t, token, url, IMMUTABLE);
    expect(r1.items.map((m) => m.id)).toEqual([up.immutableId]);
    await t.ctl.moveMessage(upn, up.id, "Inbox");
    const r2 = await deltaRound(t, token, r1.deltaLink, IMMUTABLE);
    expect(r2.items).toEqual([
      { "@odata.type": "#microsoft.graph.message", id: up.immutableId, "@removed": { reason: "deleted" } },
    ]);
  });
});
