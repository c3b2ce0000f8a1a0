import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimControl, SimControlError } from "../src/client";
import { appToken, mimeMessage, raw, startTestSim, type TestSim } from "./helpers";

let t: TestSim;

beforeAll(async () => {
  t = await startTestSim();
});
afterAll(() => t.close());

describe("control API", () => {
  it("reports health and resets to a generated or an empty tenant", async () => {
    expect((await t.ctl.health()).status).toBe("ok");
    const r = await t.ctl.reset({ seed: 5, users: 4, messagesPerUser: 10, generator: "stand-in" });
    expect(r.users).toBe(5); // 4 users + the shared mailbox
    const users = await t.ctl.users();
    expect(users.map((u) => Object.keys(u))).toContainEqual(
      expect.arrayContaining(["id", "userPrincipalName", "displayName"]),
    );
    // the same seed gives the same tenant
    const first = await t.ctl.state(users[0]?.userPrincipalName as string);
    await t.ctl.reset({ seed: 5, users: 4, messagesPerUser: 10, generator: "stand-in" });
    const again = await t.ctl.state(users[0]?.userPrincipalName as string);
    expect(again.messages.map((m) => [m.folderPath, m.sha256])).toEqual(
      first.messages.map((m) => [m.folderPath, m.sha256]),
    );
    expect((await t.ctl.users()).map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect((await t.ctl.reset({ empty: true })).users).toBe(0);
    expect(await t.ctl.users()).toEqual([]);
  });

  it("creates users (with or without a mailbox) that Graph then lists", async () => {
    const { id } = await t.ctl.createUser({
      userPrincipalName: "megan@contoso.example",
      displayName: "Megan Bowen",
    });
    await t.ctl.createUser({
      userPrincipalName: "nolicense@contoso.example",
      displayName: "No License",
      licensed: false,
    });
    const token = await appToken(t);
    const g = await raw(t, "GET", `/v1.0/users/${id}?$select=id,displayName,accountEnabled`, { token });
    expect(g.json).toMatchObject({ id, displayName: "Megan Bowen", accountEnabled: true });
    expect(
      (await raw(t, "GET", "/v1.0/users/nolicense@contoso.example/messages", { token })).json.error?.code,
    ).toBe("MailboxNotEnabledForRESTAPI");
    await expect(
      t.ctl.createUser({ userPrincipalName: "megan@contoso.example", displayName: "Dup" }),
    ).rejects.toBeInstanceOf(SimControlError);
  });

  it("creates folders with their parents, renames, moves and deletes them", async () => {
    const upn = "megan@contoso.example";
    const f = await t.ctl.createFolder(upn, "Inbox/Projects/2026");
    expect(f.path).toBe("Inbox/Projects/2026");
    let s = await t.ctl.state(upn);
    expect(s.folders.map((x) => x.path)).toEqual(
      expect.arrayContaining(["Inbox/Projects", "Inbox/Projects/2026"]),
    );
    await t.ctl.updateFolder(upn, f.id, { displayName: "FY2026" });
    const moved = await t.ctl.updateFolder(upn, f.id, { parentPath: "Archive" });
    expect(moved.path).toBe("Archive/FY2026");
    await t.ctl.updateFolder(upn, "Inbox/Projects", { parentPath: "" });
    s = await t.ctl.state(upn);
    expect(s.folders.map((x) => x.path)).toEqual(expect.arrayContaining(["Projects", "Archive/FY2026"]));
    await t.ctl.deleteFolder(upn, "Projects");
    s = await t.ctl.state(upn);
    expect(s.folders.map((x) => x.path)).not.toContain("Projects");
    await expect(t.ctl.deleteFolder(upn, "inbox")).rejects.toMatchObject({ status: 400 });
  });

  it("uploads, moves and deletes messages; state is the truth", async () => {
    const upn = "megan@contoso.example";
    const a = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "one", messageId: "<one@x>" }), {
      folder: "Inbox",
      receivedDateTime: "2026-02-01T00:00:00Z",
      isRead: true,
    });
    const b = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "two", messageId: "<two@x>" }), {
      folder: "Archive/FY2026",
    });
    let s = await t.ctl.state(upn);
    expect(s.messages.find((m) => m.id === a.id)).toMatchObject({
      folderPath: "Inbox",
      internetMessageId: "<one@x>",
      isRead: true,
      receivedDateTime: "2026-02-01T00:00:00.000Z",
    });
    const moved = await t.ctl.moveMessage(upn, a.id, "Archive");
    await t.ctl.deleteMessage(upn, b.id);
    s = await t.ctl.state(upn);
    expect(s.messages.map((m) => [m.id, m.folderPath])).toEqual([[moved.id, "Archive"]]);
    await t.ctl.deleteMessage(upn, moved.id, { soft: true });
    s = await t.ctl.state(upn);
    expect(s.messages[0]?.folderPath).toBe("Deleted Items");
    await expect(t.ctl.moveMessage(upn, a.id, "Inbox")).rejects.toMatchObject({ status: 404 });
  });

  it("keeps state in a file across restarts (with uploaded bytes outside the JSON)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "m365sim-"));
    try {
      const stateFile = path.join(dir, "state.json");
      const first = await startTestSim({ stateFile, tenant: { seed: 2, users: 2, messagesPerUser: 5 } });
      const upn = (await first.ctl.users())[0]?.userPrincipalName as string;
      const big = mimeMessage({ subject: "kept", body: "x".repeat(300_000) });
      const up = await first.ctl.uploadMessage(upn, big, { folder: "Inbox/Kept" });
      const token = await appToken(first);
      const d1 = await raw(first, "GET", `/v1.0/users/${upn}/mailFolders/inbox/messages/delta?$select=id`, {
        token,
        headers: { Prefer: "odata.maxpagesize=500" },
      });
      const deltaLink = d1.json["@odata.deltaLink"] as string;
      const before = await first.ctl.state(upn);
      const creds = {
        tenantId: first.h.tenantId,
        clientId: first.h.clientId,
        clientSecret: first.h.clientSecret,
      };
      await first.close();

      const second = await startTestSim({ stateFile });
      try {
        expect({
          tenantId: second.h.tenantId,
          clientId: second.h.clientId,
          clientSecret: second.h.clientSecret,
        }).toEqual(creds);
        expect(await second.ctl.state(upn)).toEqual(before);
        const token2 = await appToken(second);
        const v = await raw(second, "GET", `/v1.0/users/${upn}/messages/${up.id}/$value`, { token: token2 });
        expect(v.text).toBe(big);
        // the delta chain survived too: the old deltaLink (new port, same token) still works
        const relinked = deltaLink.replace(/^https:\/\/[^/]+/, second.h.url);
        expect((await raw(second, "GET", relinked, { token: token2 })).status).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers only loopback clients and can be reached by URL + CA file", async () => {
    const byUrl = new SimControl({ url: t.h.url, caFile: t.h.caFile });
    try {
      expect((await byUrl.health()).tenantId).toBe(t.h.tenantId);
    } finally {
      byUrl.close();
    }
  });
});
