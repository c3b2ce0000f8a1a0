import { PageIterator } from "@microsoft/microsoft-graph-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appToken, graphClient, raw, startTestSim, type TestSim, workerMsal } from "./helpers";

let t: TestSim;
let token: string;
const a = "a@contoso.example";
const b = "b@contoso.example";
const c = "c@contoso.example";
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestSim();
  for (const upn of [a, b, c])
    ids[upn] = (
      await t.ctl.createUser({
        userPrincipalName: upn,
        displayName: upn.split("@")[0]?.toUpperCase() as string,
      })
    ).id;
  const inner = await t.ctl.createGroup({ displayName: "SG-Inner", kind: "security", memberUpns: [b, c] });
  const outer = await t.ctl.createGroup({
    displayName: "Sales EMEA",
    kind: "distribution",
    mail: "sales.emea@contoso.example",
    proxyAddresses: ["SMTP:sales.emea@contoso.example", "smtp:vertrieb@contoso.example"],
    onPremisesDistinguishedName: "CN=Sales EMEA,OU=Groups,DC=contoso,DC=local",
    memberUpns: [a, b],
    memberGroupIds: [inner.id],
  });
  await t.ctl.createGroup({
    displayName: "All Company",
    kind: "m365",
    mail: "all@contoso.example",
    memberUpns: [a, b, c],
  });
  await t.ctl.createGroup({
    displayName: "Finance Approvers",
    kind: "mailSecurity",
    mail: "fin@contoso.example",
    memberGroupIds: [outer.id],
  });
  ids.inner = inner.id;
  ids.outer = outer.id;
  token = await appToken(t);
});
afterAll(() => t.close());

describe("groups", () => {
  it("shows the four kinds with Graph's flags", async () => {
    const r = await raw(
      t,
      "GET",
      "/v1.0/groups?$select=displayName,groupTypes,mailEnabled,securityEnabled,mail",
      { token },
    );
    const by = new Map((r.json.value ?? []).map((g) => [g.displayName, g]));
    expect(by.get("All Company")).toMatchObject({
      groupTypes: ["Unified"],
      mailEnabled: true,
      securityEnabled: false,
    });
    expect(by.get("SG-Inner")).toMatchObject({
      groupTypes: [],
      mailEnabled: false,
      securityEnabled: true,
      mail: null,
    });
    expect(by.get("Finance Approvers")).toMatchObject({
      groupTypes: [],
      mailEnabled: true,
      securityEnabled: true,
    });
    expect(by.get("Sales EMEA")).toMatchObject({ groupTypes: [], mailEnabled: true, securityEnabled: false });
  });

  it("filters by mail, by proxyAddresses/any (case-insensitive) and startswith; has the on-premises DN", async () => {
    const byMail = await raw(
      t,
      "GET",
      "/v1.0/groups?$filter=mail eq 'SALES.EMEA@contoso.example'&$select=id,onPremisesDistinguishedName,onPremisesSyncEnabled",
      { token },
    );
    expect(byMail.json.value).toEqual([
      {
        id: ids.outer,
        onPremisesDistinguishedName: "CN=Sales EMEA,OU=Groups,DC=contoso,DC=local",
        onPremisesSyncEnabled: true,
      },
    ]);
    const byAlias = await raw(
      t,
      "GET",
      `/v1.0/groups?$filter=${encodeURIComponent("proxyAddresses/any(p:p eq 'SMTP:Vertrieb@contoso.example')")}&$select=id`,
      { token },
    );
    expect(byAlias.json.value?.map((g) => g.id)).toEqual([ids.outer]);
    const sw = await raw(t, "GET", "/v1.0/groups?$filter=startswith(displayName,'sal')&$select=displayName", {
      token,
    });
    expect(sw.json.value?.map((g) => g.displayName)).toEqual(["Sales EMEA"]);
    const missing = await raw(t, "GET", "/v1.0/groups/00000000-0000-0000-0000-000000000000", { token });
    expect(missing.json.error?.code).toBe("Request_ResourceNotFound");
  });

  it("lists transitive members: nested groups flattened, de-duplicated, type cast to users, paged", async () => {
    const users = await raw(
      t,
      "GET",
      `/v1.0/groups/${ids.outer}/transitiveMembers/microsoft.graph.user?$select=id,userPrincipalName`,
      { token },
    );
    expect(users.json.value?.map((u) => u.userPrincipalName).sort()).toEqual([a, b, c]);
    expect(users.json.value?.every((u) => u["@odata.type"] === "#microsoft.graph.user")).toBe(true);
    const all = await raw(t, "GET", `/v1.0/groups/${ids.outer}/transitiveMembers?$select=id`, { token });
    expect(all.json.value?.map((m) => m["@odata.type"]).sort()).toEqual([
      "#microsoft.graph.group",
      "#microsoft.graph.user",
      "#microsoft.graph.user",
      "#microsoft.graph.user",
    ]);
    const direct = await raw(t, "GET", `/v1.0/groups/${ids.outer}/members?$select=id`, { token });
    expect(direct.json.value?.length).toBe(3);
    // two levels deep through Sales EMEA
    const client = graphClient(t, token);
    const first = await client
      .api(
        `/groups/${(await t.ctl.groups()).find((g) => g.displayName === "Finance Approvers")?.id}/transitiveMembers/microsoft.graph.user`,
      )
      .select("id")
      .top(2)
      .get();
    expect(first["@odata.nextLink"]).toBeDefined();
    const seen: string[] = [];
    await new PageIterator(client, first, (m: { id: string }) => {
      seen.push(m.id);
      return true;
    }).iterate();
    expect(seen.sort()).toEqual([ids[a], ids[b], ids[c]].sort());
  });

  it("follows control-API membership changes", async () => {
    await t.ctl.removeGroupMember(ids.inner as string, { upn: c });
    const r = await raw(
      t,
      "GET",
      `/v1.0/groups/${ids.outer}/transitiveMembers/microsoft.graph.user?$select=userPrincipalName`,
      { token },
    );
    expect(r.json.value?.map((u) => u.userPrincipalName).sort()).toEqual([a, b]);
    await t.ctl.addGroupMember(ids.inner as string, { upn: c });
  });
});

describe("calendar permissions", () => {
  it("lists the organization default and the entries set through the control API", async () => {
    const r0 = await raw(t, "GET", `/v1.0/users/${a}/calendar/calendarPermissions`, { token });
    expect(r0.json.value).toEqual([
      expect.objectContaining({
        emailAddress: { name: "My Organization" },
        role: "freeBusyRead",
        isRemovable: false,
        isInsideOrganization: true,
      }),
    ]);
    await t.ctl.setCalendarPermissions(a, [
      { emailAddress: { name: "B", address: b }, role: "delegateWithPrivateEventAccess" },
    ]);
    const r = await raw(t, "GET", `/v1.0/users/${a}/calendar/calendarPermissions`, { token });
    expect(r.json.value?.length).toBe(2);
    expect(r.json.value?.[1]).toMatchObject({
      emailAddress: { name: "B", address: b },
      role: "delegateWithPrivateEventAccess",
      isRemovable: true,
      allowedRoles: expect.arrayContaining(["read", "write"]),
    });
    expect(typeof r.json.value?.[1]?.id).toBe("string");
  });
});

describe("Exchange admin API (InvokeCommand)", () => {
  const invoke = (
    tok: string,
    body: unknown,
    headers: Record<string, string> = {},
    url = `/adminapi/beta/${t.h.tenantId}/InvokeCommand`,
  ) =>
    raw(t, "POST", url, {
      token: tok,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "X-AnchorMailbox": `APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@${t.h.tenantId}`,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const exoToken = async (scope: string) =>
    (await workerMsal(t).acquireTokenByClientCredential({ scopes: [scope] }))?.accessToken as string;

  it("answers Get-MailboxPermission with NT AUTHORITY\\SELF plus FullAccess rows, paged with Prefer: odata.maxpagesize", async () => {
    await t.ctl.setMailboxPermissions(a, [
      { user: b, accessRights: ["FullAccess"] },
      { user: c, accessRights: ["FullAccess"], deny: true },
    ]);
    const tok = await exoToken("https://outlook.office365.com/.default");
    const body = { CmdletInput: { CmdletName: "Get-MailboxPermission", Parameters: { Identity: a } } };
    const p1 = await invoke(tok, body, { Prefer: "odata.maxpagesize=2" });
    expect(p1.status).toBe(200);
    expect(p1.json.value?.[0]).toMatchObject({
      Identity: a,
      User: "NT AUTHORITY\\SELF",
      AccessRights: ["FullAccess", "ReadPermission"],
      IsInherited: false,
      Deny: false,
    });
    const next = p1.json["@odata.nextLink"] as string;
    expect(next).toBeDefined();
    const p2 = await invoke(tok, body, { Prefer: "odata.maxpagesize=2" }, next);
    expect(p2.json.value).toEqual([
      expect.objectContaining({
        Identity: a,
        User: c,
        AccessRights: ["FullAccess"],
        Deny: true,
        InheritanceType: "All",
      }),
    ]);
    expect(p2.json["@odata.nextLink"]).toBeUndefined();
  });

  it("answers Get-RecipientPermission with SendAs rows (token scoped to the simulator origin works too)", async () => {
    await t.ctl.setRecipientPermissions(b, [{ trustee: a }]);
    const tok = await exoToken(`${t.h.exchangeUrl}/.default`);
    const r = await invoke(tok, {
      CmdletInput: { CmdletName: "Get-RecipientPermission", Parameters: { Identity: b } },
    });
    expect(r.json.value?.map((x) => [x.Trustee, x.AccessControlType, x.AccessRights])).toEqual([
      ["NT AUTHORITY\\SELF", "Allow", ["SendAs"]],
      [a, "Allow", ["SendAs"]],
    ]);
  });

  it("reports unknown identities and cmdlets in EXO's error shape, and needs an Exchange token", async () => {
    const tok = await exoToken("https://outlook.office365.com/.default");
    const missing = await invoke(tok, {
      CmdletInput: {
        CmdletName: "Get-MailboxPermission",
        Parameters: { Identity: "nobody@contoso.example" },
      },
    });
    expect(missing.status).toBe(404);
    expect(
      (missing.json.error as unknown as { details: Array<{ message: string }> }).details[0]?.message,
    ).toContain("couldn't be found");
    expect(
      (await invoke(tok, { CmdletInput: { CmdletName: "Remove-Mailbox", Parameters: {} } })).status,
    ).toBe(400);
    expect((await invoke(token, { CmdletInput: { CmdletName: "Get-Mailbox", Parameters: {} } })).status).toBe(
      401,
    );
  });
});
