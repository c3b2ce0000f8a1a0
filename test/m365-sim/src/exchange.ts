import { randomUUID } from "node:crypto";
import type { SimRequest, SimResponse } from "./http";
import type { Mailbox } from "./model/mailbox";
import type { UserRec } from "./model/tenant";
import type { Simulator } from "./sim";

/**
 * Exchange Online admin API, the `InvokeCommand` endpoint the EXO v3 module uses (reference C.2):
 * `POST /adminapi/beta/{tenant}/InvokeCommand` with `{"CmdletInput":{"CmdletName", "Parameters"}}`.
 * Supports Get-MailboxPermission, Get-RecipientPermission and Get-Mailbox, paged with
 * `Prefer: odata.maxpagesize` and `@odata.nextLink` (re-POST the same body to it).
 */

const DEFAULT_PAGE = 1000;
const SELF = "NT AUTHORITY\\SELF";

function exoError(status: number, code: string, message: string, type: string): SimResponse {
  return {
    status,
    json: {
      error: {
        code,
        message,
        details: [{ code: "Context", target: "", message }],
        innererror: {
          message,
          type,
          "@Microsoft.ExchangeServices.Admin.Common.ReportableErrorType": "Context",
          internalException: { message },
        },
      },
    },
  };
}

function resolveMailbox(sim: Simulator, identity: string): { user: UserRec; mbx: Mailbox } | undefined {
  const lower = identity.toLowerCase();
  const t = sim.tenant;
  const user =
    t.userByIdOrUpn(identity) ??
    [...t.users.values()].find(
      (u) =>
        (u.mail ?? "").toLowerCase() === lower ||
        u.userPrincipalName.split("@")[0]?.toLowerCase() === lower ||
        u.displayName.toLowerCase() === lower,
    );
  const mbx = user ? t.mailboxOf(user) : undefined;
  return user && mbx ? { user, mbx } : undefined;
}

function mailboxPermissionRows(user: UserRec, mbx: Mailbox): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [
    {
      Identity: user.userPrincipalName,
      User: SELF,
      AccessRights: ["FullAccess", "ReadPermission"],
      IsInherited: false,
      Deny: false,
      InheritanceType: "All",
    },
  ];
  for (const p of mbx.perms.mailbox) {
    rows.push({
      Identity: user.userPrincipalName,
      User: p.user,
      AccessRights: p.accessRights,
      IsInherited: p.isInherited,
      Deny: p.deny,
      InheritanceType: "All",
    });
  }
  return rows;
}

function recipientPermissionRows(user: UserRec, mbx: Mailbox): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [
    {
      Identity: user.userPrincipalName,
      Trustee: SELF,
      AccessControlType: "Allow",
      AccessRights: ["SendAs"],
      IsInherited: false,
      InheritanceType: "None",
    },
  ];
  for (const p of mbx.perms.recipient) {
    rows.push({
      Identity: user.userPrincipalName,
      Trustee: p.trustee,
      AccessControlType: p.deny ? "Deny" : "Allow",
      AccessRights: p.accessRights,
      IsInherited: false,
      InheritanceType: "None",
    });
  }
  return rows;
}

function mailboxRow(user: UserRec): Record<string, unknown> {
  const typeByPurpose: Record<string, string> = {
    shared: "SharedMailbox",
    room: "RoomMailbox",
    equipment: "EquipmentMailbox",
  };
  return {
    Identity: user.userPrincipalName,
    ExternalDirectoryObjectId: user.id,
    UserPrincipalName: user.userPrincipalName,
    PrimarySmtpAddress: user.mail ?? user.userPrincipalName,
    DisplayName: user.displayName,
    Alias: user.userPrincipalName.split("@")[0],
    RecipientTypeDetails: typeByPurpose[user.userPurpose] ?? "UserMailbox",
    GrantSendOnBehalfTo: [],
    AccountDisabled: !user.accountEnabled,
  };
}

export async function invokeCommand(
  sim: Simulator,
  req: SimRequest,
  params: Record<string, string>,
): Promise<SimResponse> {
  const t = params.tenant?.toLowerCase();
  if (t !== sim.tenant.tenantId && t !== sim.tenant.domain.toLowerCase())
    return exoError(404, "NotFound", `Tenant '${params.tenant}' was not found.`, "TenantNotFound");
  try {
    sim.authenticate(req, sim.exchangeAudiences());
  } catch {
    return {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer client_id="00000002-0000-0ff1-ce00-000000000000"' },
      json: {
        error: {
          code: "InvalidAuthenticationToken",
          message: "The access token is missing, expired or not issued for Exchange Online.",
        },
      },
    };
  }
  const fault = sim.faults.decideStatus("/adminapi/InvokeCommand");
  if (fault?.kind === "status") return sim.faultResponse(fault.status, req);
  let input: { CmdletInput?: { CmdletName?: string; Parameters?: Record<string, unknown> } };
  try {
    input = JSON.parse(req.body.toString("utf8")) as typeof input;
  } catch {
    return exoError(400, "BadRequest", "The request body is not valid JSON.", "BadRequest");
  }
  const name = input.CmdletInput?.CmdletName ?? "";
  const p = input.CmdletInput?.Parameters ?? {};
  const identity = typeof p.Identity === "string" ? p.Identity : undefined;
  let targets: Array<{ user: UserRec; mbx: Mailbox }>;
  if (identity) {
    const hit = resolveMailbox(sim, identity.replace(/:\\.*$/, ""));
    if (!hit) {
      return exoError(
        404,
        "NotFound",
        `Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed because object '${identity}' couldn't be found on '${sim.tenant.domain}'.`,
        "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException",
      );
    }
    targets = [hit];
  } else {
    targets = [...sim.tenant.users.values()].flatMap((user) => {
      const mbx = sim.tenant.mailboxOf(user);
      return mbx ? [{ user, mbx }] : [];
    });
  }
  let rows: Array<Record<string, unknown>>;
  switch (name.toLowerCase()) {
    case "get-mailboxpermission":
      rows = targets.flatMap(({ user, mbx }) => mailboxPermissionRows(user, mbx));
      break;
    case "get-recipientpermission":
      rows = targets.flatMap(({ user, mbx }) => recipientPermissionRows(user, mbx));
      break;
    case "get-mailbox":
      rows = targets.map(({ user }) => mailboxRow(user));
      break;
    default:
      return exoError(
        400,
        "BadRequest",
        `The term '${name}' is not recognized as a cmdlet supported by the simulator (Get-MailboxPermission, Get-RecipientPermission, Get-Mailbox).`,
        "CommandNotFoundException",
      );
  }
  const prefer = /odata\.maxpagesize=(\d+)/i.exec(req.headers.prefer ?? "");
  const size = prefer ? Math.max(1, Math.min(1000, Number(prefer[1]))) : DEFAULT_PAGE;
  const skip = Number(/^\d+$/.test(req.query.get("skiptoken") ?? "") ? req.query.get("skiptoken") : 0);
  const page = rows
    .slice(skip, skip + size)
    .map((r) => ({ "@odata.type": "#Exchange.GenericHashTable", ...r }));
  const body: Record<string, unknown> = {
    "@odata.context": `${sim.url}/adminapi/beta/${sim.tenant.tenantId}/$metadata#Collection(Exchange.GenericHashTable)`,
    "adminapi.warnings@odata.type": "#Collection(String)",
    "@adminapi.warnings": [],
    value: page,
  };
  if (skip + size < rows.length)
    body["@odata.nextLink"] =
      `${sim.url}/adminapi/beta/${sim.tenant.tenantId}/InvokeCommand?$skiptoken=${skip + size}`;
  return { status: 200, headers: { "request-id": randomUUID() }, json: body };
}

export function registerExchange(sim: Simulator): void {
  sim.plain.add("POST", "adminapi/beta/:tenant/InvokeCommand", invokeCommand);
}
