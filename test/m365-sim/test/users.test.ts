import { PageIterator } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E3_SKU } from "../src/model/tenant";
import { appToken, graphClient, raw, startTestSim, type TestSim } from "./helpers";

let t: TestSim;
let token: string;

beforeAll(async () => {
  t = await startTestSim({ tenant: { seed: 3, users: 9, messagesPerUser: 2 } });
  token = await appToken(t);
});
afterAll(() => t.close());

describe("users", () => {
  it("lists with $select and follows @odata.nextLink with PageIterator", async () => {
    const client = graphClient(t, token);
    const first = await client
      .api("/users")
      .select("id,userPrincipalName,accountEnabled,assignedLicenses")
      .top(3)
      .get();
    expect(first["@odata.nextLink"]).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?/);
    expect(Object.keys(first.value[0]).sort()).toEqual([
      "accountEnabled",
      "assignedLicenses",
      "id",
      "userPrincipalName",
    ]);
    const seen: string[] = [];
    await new PageIterator(client, first, (u: { userPrincipalName: string }) => {
      seen.push(u.userPrincipalName);
      return true;
    }).iterate();
    const truth = await t.ctl.users();
    expect(seen.sort()).toEqual(truth.map((u) => u.userPrincipalName).sort());
  });

  it("returns Graph's default property set without $select", async () => {
    const r = await raw(t, "GET", "/v1.0/users?$top=1", { token });
    expect(Object.keys(r.json.value?.[0] ?? {})).toEqual(
      expect.arrayContaining(["id", "displayName", "userPrincipalName", "mail", "businessPhones"]),
    );
    expect(r.json.value?.[0]).not.toHaveProperty("accountEnabled");
  });

  it("filters on accountEnabled, userPrincipalName and mail without advanced-query headers", async () => {
    const truth = await t.ctl.users();
    const enabled = await raw(
      t,
      "GET",
      "/v1.0/users?$filter=accountEnabled eq true&$select=id,accountEnabled&$top=999",
      { token },
    );
    expect(enabled.status).toBe(200);
    expect(enabled.json.value?.length).toBe(truth.filter((u) => u.accountEnabled).length);
    const one = truth[0] as (typeof truth)[number];
    const byUpn = await raw(
      t,
      "GET",
      `/v1.0/users?$filter=userPrincipalName eq '${one.userPrincipalName.toUpperCase()}'`,
      { token },
    );
    expect(byUpn.json.value?.map((u) => u.id)).toEqual([one.id]);
    const byMail = await raw(t, "GET", `/v1.0/users?$filter=mail eq '${one.userPrincipalName}'`, { token });
    expect(byMail.json.value?.length).toBe(1);
    const bySku = await raw(
      t,
      "GET",
      `/v1.0/users?$filter=assignedLicenses/any(x:x/skuId eq ${E3_SKU})&$top=999`,
      { token },
    );
    expect(bySku.json.value?.length).toBe(truth.filter((u) => u.licensed).length);
  });

  it("enforces the advanced-query rules for assignedLicenses/$count ne 0", async () => {
    const q = "/v1.0/users?$filter=assignedLicenses/$count ne 0&$select=id";
    const noHeader = await raw(t, "GET", `${q}&$count=true`, { token });
    expect(noHeader.status).toBe(400);
    expect(noHeader.json.error?.code).toBe("Request_UnsupportedQuery");
    const noCount = await raw(t, "GET", q, { token, headers: { ConsistencyLevel: "eventual" } });
    expect(noCount.status).toBe(400);
    const ok = await raw(t, "GET", `${q}&$count=true&$top=999`, {
      token,
      headers: { ConsistencyLevel: "eventual" },
    });
    expect(ok.status).toBe(200);
    const licensed = (await t.ctl.users()).filter((u) => u.licensed).length;
    expect(ok.json["@odata.count"]).toBe(licensed);
    expect(ok.json.value?.length).toBe(licensed);
  });

  it("gets one user by id or UPN, 404 Request_ResourceNotFound otherwise", async () => {
    const one = (await t.ctl.users())[1] as { id: string; userPrincipalName: string };
    const byId = await raw(t, "GET", `/v1.0/users/${one.id}?$select=id,accountEnabled`, { token });
    expect(byId.json.id).toBe(one.id);
    const byUpn = await raw(t, "GET", `/v1.0/users/${encodeURIComponent(one.userPrincipalName)}`, { token });
    expect(byUpn.json.id).toBe(one.id);
    const missing = await raw(t, "GET", "/v1.0/users/nobody@contoso.example", { token });
    expect(missing.status).toBe(404);
    expect(missing.json.error?.code).toBe("Request_ResourceNotFound");
  });
});

describe("mailboxSettings", () => {
  it("classifies mailboxes with userPurpose (shared mailboxes are disabled accounts)", async () => {
    const shared = (await t.ctl.users()).find((u) => u.userPurpose === "shared");
    expect(shared?.accountEnabled).toBe(false);
    const r = await raw(t, "GET", `/v1.0/users/${shared?.id}/mailboxSettings`, { token });
    expect(r.status).toBe(200);
    expect(r.json.userPurpose).toBe("shared");
    const one = await raw(t, "GET", `/v1.0/users/${shared?.id}/mailboxSettings/userPurpose`, { token });
    expect(one.json.value).toBe("shared");
  });

  it("answers users without a mailbox with MailboxNotEnabledForRESTAPI", async () => {
    const unlicensed = (await t.ctl.users()).find((u) => !u.hasMailbox);
    expect(unlicensed).toBeDefined();
    const r = await raw(t, "GET", `/v1.0/users/${unlicensed?.id}/mailFolders`, { token });
    expect(r.status).toBe(404);
    expect(r.json.error?.code).toBe("MailboxNotEnabledForRESTAPI");
  });
});
