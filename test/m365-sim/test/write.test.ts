import { readFileSync } from "node:fs";
import {
  BatchRequestContent,
  BatchResponseContent,
  FileUpload,
  LargeFileUploadTask,
} from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appToken, graphClient, mimeMessage, raw, startTestSim, type TestSim } from "./helpers";

let t: TestSim;
let token: string;
const upn = "writer@contoso.example";
const colleague = "colleague@contoso.example";
const u = `/v1.0/users/${upn}`;
const GUID = "{8ECCC264-6880-4EBE-992F-8888D2EEAA1D}";

beforeAll(async () => {
  t = await startTestSim();
  await t.ctl.createUser({ userPrincipalName: upn, displayName: "Writer" });
  await t.ctl.createUser({ userPrincipalName: colleague, displayName: "Colleague" });
  token = await appToken(t);
});
afterAll(() => t.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return raw(t, "POST", path, {
    token,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

describe("creating messages", () => {
  it("JSON create with Integer 0x0E07 without the 0x8 bit is a non-draft with the given times", async () => {
    const r = await post(`${u}/mailFolders/archive/messages`, {
      subject: "Restored original",
      body: { contentType: "HTML", content: "<p>Hello</p>" },
      from: { emailAddress: { name: "Alice", address: "alice@fabrikam.example" } },
      toRecipients: [{ emailAddress: { address: upn } }],
      singleValueExtendedProperties: [
        { id: "Integer 0x0E07", value: "1" },
        { id: "SystemTime 0x0E06", value: "2024-05-01T10:00:00Z" },
        { id: "SystemTime 0x0039", value: "2024-05-01T09:59:00Z" },
        { id: `String ${GUID} Name ArchiveState`, value: "stub" },
      ],
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      isDraft: false,
      isRead: true,
      subject: "Restored original",
      receivedDateTime: "2024-05-01T10:00:00Z",
      sentDateTime: "2024-05-01T09:59:00Z",
    });
    const archive = await raw(t, "GET", `${u}/mailFolders/archive`, { token });
    expect(r.json.parentFolderId).toBe(archive.json.id);
    const id = r.json.id as string;
    const exp = await raw(
      t,
      "GET",
      `${u}/messages/${id}?$select=id&$expand=singleValueExtendedProperties($filter=id eq 'String ${GUID.toLowerCase()} Name ArchiveState')`,
      { token },
    );
    expect(exp.json.singleValueExtendedProperties).toEqual([
      { id: `String ${GUID} Name ArchiveState`, value: "stub" },
    ]);
    const mime = await raw(t, "GET", `${u}/messages/${id}/$value`, { token });
    expect(mime.text).toMatch(/^Subject: Restored original$/m);
    expect(mime.text).toContain(`Message-ID: ${r.json.internetMessageId}`);
  });

  it("JSON create without the flag is a draft; POST /messages files it in Drafts", async () => {
    const r = await post(`${u}/messages`, {
      subject: "a draft",
      toRecipients: [{ emailAddress: { address: "x@y.example" } }],
    });
    expect(r.status).toBe(201);
    expect(r.json.isDraft).toBe(true);
    const drafts = await raw(t, "GET", `${u}/mailFolders/drafts`, { token });
    expect(r.json.parentFolderId).toBe(drafts.json.id);
  });

  it("MIME create (base64, text/plain) makes a draft in Drafts and keeps the bytes; only on /messages", async () => {
    const mime = mimeMessage({ subject: "imported", messageId: "<imp-1@fabrikam.example>" });
    const r = await raw(t, "POST", `${u}/messages`, {
      token,
      headers: { "content-type": "text/plain" },
      body: Buffer.from(mime).toString("base64"),
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      isDraft: true,
      subject: "imported",
      internetMessageId: "<imp-1@fabrikam.example>",
    });
    expect((await raw(t, "GET", `${u}/messages/${r.json.id}/$value`, { token })).text).toBe(mime);
    const bad = await raw(t, "POST", `${u}/messages`, {
      token,
      headers: { "content-type": "text/plain" },
      body: "not base64!!",
    });
    expect(bad.json.error?.code).toBe("ErrorMimeContentInvalidBase64String");
    const onFolder = await raw(t, "POST", `${u}/mailFolders/inbox/messages`, {
      token,
      headers: { "content-type": "text/plain" },
      body: Buffer.from(mime).toString("base64"),
    });
    expect(onFolder.status).toBe(400);
  });
});

describe("PATCH", () => {
  it("rejects draft-only properties on non-drafts and allows the always-updatable ones", async () => {
    const up = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "received" }));
    for (const body of [
      { subject: "x" },
      { body: { contentType: "text", content: "x" } },
      { internetMessageId: "<a@b>" },
      { replyTo: [] },
    ]) {
      const r = await raw(t, "PATCH", `${u}/messages/${up.id}`, {
        token,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(400);
      expect(r.json.error?.code).toBe("ErrorInvalidPropertyUpdateSentMessage");
    }
    const ok = await raw(t, "PATCH", `${u}/messages/${up.id}`, {
      token,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        isRead: true,
        categories: ["Archived"],
        importance: "high",
        singleValueExtendedProperties: [{ id: `String ${GUID} Name ArchiveState`, value: "archived" }],
      }),
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      isRead: true,
      categories: ["Archived"],
      importance: "high",
      subject: "received",
    });
    // the MIME of a received message is untouched by property changes
    expect((await raw(t, "GET", `${u}/messages/${up.id}/$value`, { token })).bytes.length).toBe(up.size);
  });

  it("edits drafts (MIME follows) and honours If-Match", async () => {
    const d = await post(`${u}/messages`, { subject: "v1", body: { contentType: "text", content: "one" } });
    const stale = d.json["@odata.etag"] as string;
    const r = await raw(t, "PATCH", `${u}/messages/${d.json.id}`, {
      token,
      headers: { "content-type": "application/json", "if-match": stale },
      body: JSON.stringify({ subject: "v2", body: { contentType: "text", content: "two" } }),
    });
    expect(r.status).toBe(200);
    expect(r.json.subject).toBe("v2");
    expect((await raw(t, "GET", `${u}/messages/${d.json.id}/$value`, { token })).text).toMatch(
      /^Subject: v2$/m,
    );
    const conflict = await raw(t, "PATCH", `${u}/messages/${d.json.id}`, {
      token,
      headers: { "content-type": "application/json", "if-match": stale },
      body: JSON.stringify({ subject: "v3" }),
    });
    expect(conflict.status).toBe(412);
  });
});

describe("move, copy, delete", () => {
  it("move gives a new id (201), copy a second item, delete goes to the dumpster, permanentDelete purges", async () => {
    const up = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "mover" }));
    const moved = await post(`${u}/messages/${up.id}/move`, { destinationId: "archive" });
    expect(moved.status).toBe(201);
    expect(moved.json.id).not.toBe(up.id);
    const copy = await post(`${u}/messages/${moved.json.id}/copy`, { destinationId: "inbox" });
    expect(copy.status).toBe(201);
    expect(copy.json.id).not.toBe(moved.json.id);
    expect(copy.json.subject).toBe("mover");
    expect((await raw(t, "DELETE", `${u}/messages/${moved.json.id}`, { token })).status).toBe(204);
    const state = await t.ctl.state(upn);
    expect(state.messages.find((m) => m.immutableId === up.immutableId)).toBeUndefined();
    const dumpster = await raw(
      t,
      "GET",
      `${u}/mailFolders/recoverableitemsdeletions/messages?$select=subject`,
      { token },
    );
    expect(dumpster.json.value?.map((m) => m.subject)).toContain("mover");
    expect((await raw(t, "POST", `${u}/messages/${copy.json.id}/permanentDelete`, { token })).status).toBe(
      204,
    );
    expect((await raw(t, "GET", `${u}/messages/${copy.json.id}`, { token })).status).toBe(404);
    const missing = await post(`${u}/messages/${up.immutableId}/move`, { destinationId: "no-such-folder" });
    expect(missing.status).toBe(404);
  });
});

describe("extended properties", () => {
  it("finds items with $filter=singleValueExtendedProperties/any(…); the Name is case-sensitive, the GUID is not", async () => {
    const stub = await post(`${u}/mailFolders/inbox/messages`, {
      subject: "stub",
      singleValueExtendedProperties: [
        { id: "Integer 0x0E07", value: "1" },
        { id: `String ${GUID} Name ArchiveState`, value: "stub-found" },
      ],
    });
    const q = (id: string, v: string) =>
      `${u}/messages?$select=subject&$filter=${encodeURIComponent(`singleValueExtendedProperties/Any(ep: ep/id eq '${id}' and ep/value eq '${v}')`)}`;
    const hit = await raw(t, "GET", q(`String ${GUID.toLowerCase()} Name ArchiveState`, "STUB-FOUND"), {
      token,
    });
    expect(hit.json.value?.map((m) => m.id)).toEqual([stub.json.id]);
    const wrongCase = await raw(t, "GET", q(`String ${GUID} Name archivestate`, "stub-found"), { token });
    expect(wrongCase.json.value).toEqual([]);
  });
});

describe("attachments", () => {
  const fixture = () => readFileSync("/work/shared/fixtures/mime/mailparser/nodemailer.eml");

  it("lists, gets and downloads attachments of a MIME message; deleting one regenerates the MIME", async () => {
    const up = await t.ctl.uploadMessage(upn, fixture(), { folder: "Inbox" });
    const list = await raw(
      t,
      "GET",
      `${u}/messages/${up.id}/attachments?$select=id,name,contentType,size,isInline`,
      { token },
    );
    expect(list.status).toBe(200);
    const atts = list.json.value ?? [];
    expect(atts.length).toBeGreaterThan(0);
    expect(atts[0]).not.toHaveProperty("contentBytes");
    const first = atts.find((a) => a.isInline === false) ?? (atts[0] as Record<string, unknown>);
    const one = await raw(t, "GET", `${u}/messages/${up.id}/attachments/${first.id}`, { token });
    expect(one.json["@odata.type"]).toBe("#microsoft.graph.fileAttachment");
    const bytes = await raw(t, "GET", `${u}/messages/${up.id}/attachments/${first.id}/$value`, { token });
    expect(bytes.bytes.equals(Buffer.from(one.json.contentBytes as string, "base64"))).toBe(true);
    const before = await raw(
      t,
      "GET",
      `${u}/messages/${up.id}?$select=subject,internetMessageId,hasAttachments`,
      { token },
    );

    expect((await raw(t, "DELETE", `${u}/messages/${up.id}/attachments/${first.id}`, { token })).status).toBe(
      204,
    );
    const after = await raw(t, "GET", `${u}/messages/${up.id}/attachments`, { token });
    expect(after.json.value?.length).toBe(atts.length - 1);
    const msg = await raw(t, "GET", `${u}/messages/${up.id}?$select=subject,internetMessageId`, { token });
    expect(msg.json.subject).toBe(before.json.subject);
    expect(msg.json.internetMessageId).toBe(before.json.internetMessageId);
    const mime = await raw(t, "GET", `${u}/messages/${up.id}/$value`, { token });
    expect(mime.text).toContain(`Message-ID: ${before.json.internetMessageId}`);
    const firstLine = (one.json.contentBytes as string).slice(0, 60);
    expect(mime.text.replace(/\r?\n/g, "")).not.toContain(firstLine);
  });

  it("adds small attachments to drafts only", async () => {
    const d = await post(`${u}/messages`, { subject: "with file" });
    const add = await post(`${u}/messages/${d.json.id}/attachments`, {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "hello.txt",
      contentType: "text/plain",
      contentBytes: Buffer.from("hello").toString("base64"),
    });
    expect(add.status).toBe(201);
    expect(add.json).toMatchObject({ name: "hello.txt", size: 5, isInline: false });
    expect(
      (await raw(t, "GET", `${u}/messages/${d.json.id}?$select=hasAttachments`, { token })).json
        .hasAttachments,
    ).toBe(true);
    const received = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "not a draft" }));
    const refused = await post(`${u}/messages/${received.id}/attachments`, {
      "@odata.type": "#microsoft.graph.fileAttachment",
      name: "x.txt",
      contentBytes: "eA==",
    });
    expect(refused.status).toBe(400);
  });

  it("uploads a large attachment with an upload session (SDK LargeFileUploadTask, no Authorization on the upload URL)", async () => {
    const d = await post(`${u}/messages`, { subject: "big attachment" });
    const content = Buffer.alloc(5 * 1024 * 1024 + 123, 7);
    const client = graphClient(t, token);
    const session = await LargeFileUploadTask.createUploadSession(
      client,
      `/users/${upn}/messages/${d.json.id}/attachments/createUploadSession`,
      {
        AttachmentItem: { attachmentType: "file", name: "big.bin", size: content.length },
      },
    );
    expect(session.url).toMatch(/^https:\/\/localhost:\d+\/api\/v2\.0\/Users\('/);
    const withAuth = await raw(t, "PUT", session.url, {
      token,
      headers: { "content-range": `bytes 0-9/${content.length}` },
      body: content.subarray(0, 10),
    });
    expect(withAuth.status).toBe(401);
    const task = new LargeFileUploadTask(
      client,
      new FileUpload(
        content.buffer.slice(content.byteOffset, content.byteOffset + content.length) as ArrayBuffer,
        "big.bin",
        content.length,
      ),
      session,
      { rangeSize: 2 * 1024 * 1024 },
    );
    const result = await task.upload();
    expect(result.location).toMatch(/\/Attachments\('/);
    const list = await raw(t, "GET", `${u}/messages/${d.json.id}/attachments?$select=name,size`, { token });
    expect(list.json.value?.map((a) => [a.name, a.size])).toEqual([["big.bin", content.length]]);
    const id = list.json.value?.[0]?.id as string;
    expect(
      (await raw(t, "GET", `${u}/messages/${d.json.id}/attachments/${id}/$value`, { token })).bytes.equals(
        content,
      ),
    ).toBe(true);
  });
});

describe("translateExchangeIds", () => {
  it("maps REST ↔ immutable ↔ EWS ids", async () => {
    const up = await t.ctl.uploadMessage(upn, mimeMessage({ subject: "ids" }));
    const r = await post(`${u}/translateExchangeIds`, {
      inputIds: [up.id],
      sourceIdType: "restId",
      targetIdType: "restImmutableEntryId",
    });
    expect(r.json.value).toEqual([{ sourceId: up.id, targetId: up.immutableId }]);
    const back = await post(`${u}/translateExchangeIds`, {
      inputIds: [up.immutableId],
      sourceIdType: "restImmutableEntryId",
      targetIdType: "restId",
    });
    expect(back.json.value?.[0]?.targetId).toBe(up.id);
    const ews = await post(`${u}/translateExchangeIds`, {
      inputIds: [up.id],
      sourceIdType: "restId",
      targetIdType: "ewsId",
    });
    const ewsId = ews.json.value?.[0]?.targetId as string;
    expect(ewsId.replace(/\//g, "-").replace(/\+/g, "_")).toBe(up.id);
    const fromEws = await post(`${u}/translateExchangeIds`, {
      inputIds: [ewsId],
      sourceIdType: "ewsId",
      targetIdType: "restImmutableEntryId",
    });
    expect(fromEws.json.value?.[0]?.targetId).toBe(up.immutableId);
  });
});

describe("$batch", () => {
  it("runs requests through BatchRequestContent with dependsOn and 424 for failed dependencies", async () => {
    const client = graphClient(t, token);
    const batch = new BatchRequestContent([
      { id: "1", request: new Request(`https://x/users/${upn}/mailFolders/inbox`, { method: "GET" }) },
      {
        id: "2",
        request: new Request(`https://x/users/${upn}/messages/AAMkAGI2THVSAAA=`, { method: "GET" }),
        dependsOn: ["1"],
      },
      {
        id: "3",
        request: new Request(`https://x/users/${upn}/mailFolders/drafts`, { method: "GET" }),
        dependsOn: ["2"],
      },
    ]);
    const res = new BatchResponseContent(await client.api("/$batch").post(await batch.getContent()));
    expect(res.getResponseById("1").status).toBe(200);
    expect(res.getResponseById("2").status).toBe(404);
    expect(res.getResponseById("3").status).toBe(424);
    expect(((await res.getResponseById("1").json()) as { displayName: string }).displayName).toBe("Inbox");
  });

  it("rejects more than 20 requests and duplicate ids", async () => {
    const reqs = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: "GET",
      url: `/users/${upn}/mailFolders/inbox`,
    }));
    expect((await post("/v1.0/$batch", { requests: reqs })).status).toBe(400);
    expect((await post("/v1.0/$batch", { requests: [reqs[0], reqs[0]] })).status).toBe(400);
  });

  it("throttles each request: more than 4 parallel requests to one mailbox get 429 with Retry-After", async () => {
    const reqs = Array.from({ length: 6 }, (_, i) => ({
      id: String(i),
      method: "GET",
      url: `/users/${upn}/mailFolders/inbox`,
    }));
    const r = await post("/v1.0/$batch", { requests: reqs });
    expect(r.status).toBe(200);
    const statuses = (r.json.responses as Array<{ status: number; headers: Record<string, string> }>)
      .map((x) => x.status)
      .sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const throttled = (
      r.json.responses as Array<{
        status: number;
        headers: Record<string, string>;
        body: { error: { code: string } };
      }>
    ).find((x) => x.status === 429);
    expect(throttled?.headers["Retry-After"]).toBe("1");
    expect(throttled?.body.error.code).toBe("ApplicationThrottled");
    const chained = reqs.map((x, i) => (i === 0 ? x : { ...x, dependsOn: [String(i - 1)] }));
    const seq = await post("/v1.0/$batch", { requests: chained });
    expect((seq.json.responses as Array<{ status: number }>).every((x) => x.status === 200)).toBe(true);
  });

  it("carries JSON bodies for writes", async () => {
    const r = await post("/v1.0/$batch", {
      requests: [
        {
          id: "a",
          method: "POST",
          url: `/users/${upn}/messages`,
          headers: { "Content-Type": "application/json" },
          body: { subject: "from batch" },
        },
      ],
    });
    const resp = (r.json.responses as Array<{ status: number; body: { subject: string } }>)[0];
    expect(resp?.status).toBe(201);
    expect(resp?.body.subject).toBe("from batch");
  });
});

describe("sendMail", () => {
  it("saves to Sent Items and delivers to recipients in the tenant", async () => {
    const r = await post(`${u}/sendMail`, {
      message: {
        subject: "team update",
        body: { contentType: "Text", content: "hi" },
        toRecipients: [{ emailAddress: { address: colleague } }],
      },
      saveToSentItems: true,
    });
    expect(r.status).toBe(202);
    const sent = (await t.ctl.state(upn)).messages.filter((m) => m.folderPath === "Sent Items");
    expect(sent.length).toBe(1);
    const inbox = await raw(
      t,
      "GET",
      `/v1.0/users/${colleague}/mailFolders/inbox/messages?$select=subject,isRead,from`,
      { token },
    );
    expect(inbox.json.value).toContainEqual(
      expect.objectContaining({
        subject: "team update",
        isRead: false,
        from: { emailAddress: { name: "Writer", address: upn } },
      }),
    );
  });
});

describe("upload volume limit", () => {
  it("answers 429 'IncomingBytes' once the mailbox's upload budget is used up", async () => {
    await t.ctl.setFaults({ limits: { uploadBytes: 20_000 } });
    try {
      const big = { subject: "payload", body: { contentType: "text", content: "x".repeat(15_000) } };
      expect((await post(`${u}/messages`, big)).status).toBe(201);
      expect((await post(`${u}/messages`, big)).status).toBe(201);
      const r = await post(`${u}/messages`, big);
      expect(r.status).toBe(429);
      expect(r.json.error?.message).toBe("Application is over its IncomingBytes limit.");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await t.ctl.setFaults({});
    }
  });
});

describe("folders through Graph", () => {
  it("creates, rejects duplicates, renames, moves and deletes (to Deleted Items)", async () => {
    const a = await post(`${u}/mailFolders`, { displayName: "Restored" });
    expect(a.status).toBe(201);
    expect((await post(`${u}/mailFolders`, { displayName: "restored" })).json.error?.code).toBe(
      "ErrorFolderExists",
    );
    const child = await post(`${u}/mailFolders/${a.json.id}/childFolders`, { displayName: "2024" });
    expect(child.json.parentFolderId).toBe(a.json.id);
    const renamed = await raw(t, "PATCH", `${u}/mailFolders/${a.json.id}`, {
      token,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ displayName: "Restored items" }),
    });
    expect(renamed.json.displayName).toBe("Restored items");
    const moved = await post(`${u}/mailFolders/${child.json.id}/move`, { destinationId: "archive" });
    expect(moved.status).toBe(201);
    expect((await raw(t, "DELETE", `${u}/mailFolders/${a.json.id}`, { token })).status).toBe(204);
    const state = await t.ctl.state(upn);
    expect(state.folders.map((f) => f.path)).toEqual(
      expect.arrayContaining(["Deleted Items/Restored items", "Archive/2024"]),
    );
    expect((await raw(t, "DELETE", `${u}/mailFolders/inbox`, { token })).status).toBe(400);
  });
});
