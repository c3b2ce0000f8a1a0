import type { TenantPerson } from "./build-directory";
import { rngFor } from "./random";
import type { MailboxSpec } from "./types";

/**
 * Who may open whose mailbox and calendar: an assistant with FullAccess on the CEO's mailbox, a
 * team with FullAccess and SendAs on the shared mailbox, a manager on a leaver's mailbox, and
 * calendar sharing with several roles (calendarPermission JSON, B.1 of the reference).
 */

export type Access = Pick<MailboxSpec, "mailboxPermissions" | "recipientPermissions" | "calendarPermissions">;

const INTERNAL_ROLES = [
  "none",
  "freeBusyRead",
  "limitedRead",
  "read",
  "write",
  "delegateWithoutPrivateEventAccess",
  "delegateWithPrivateEventAccess",
];
const ORGANIZATION_ROLES = ["none", "freeBusyRead", "limitedRead", "read", "write"];
const EXTERNAL_ROLES = ["none", "freeBusyRead", "limitedRead", "read"];

function myOrganization(role: string) {
  return {
    emailAddress: { name: "My Organization" },
    role,
    allowedRoles: ORGANIZATION_ROLES,
    isRemovable: false,
    isInsideOrganization: true,
  };
}

function share(person: TenantPerson, role: string) {
  return {
    emailAddress: { name: person.user.displayName, address: person.user.mail },
    role,
    allowedRoles: INTERNAL_ROLES,
    isRemovable: true,
    isInsideOrganization: true,
  };
}

function full(person: TenantPerson, extra: Partial<{ isInherited: boolean; deny: boolean }> = {}) {
  return {
    user: person.user.userPrincipalName,
    accessRights: ["FullAccess" as const],
    isInherited: extra.isInherited ?? false,
    deny: extra.deny ?? false,
  };
}

export function buildAccess(seed: number, people: TenantPerson[]): Map<string, Access> {
  const access = new Map<string, Access>();
  const regular = people.filter((p) => p.kind === "regular");
  const [ceo, assistant] = regular;
  const admin = regular.find((p) => p.user.department === "IT");
  const officeManager =
    regular.find((p) => p.user.jobTitle === "Office Manager") ?? regular[regular.length - 1];
  const salesTeam = regular.filter((p) => p.user.department === "Sales");
  const team = salesTeam.length > 0 ? salesTeam : regular.slice(0, 3);
  const contractor = people.find((p) => p.kind === "unlicensed");
  const salesDirector = regular.find((p) => p.user.jobTitle?.startsWith("Sales Director")) ?? ceo;

  for (const person of people) {
    if (!person.hasMailbox) continue;
    const upn = person.user.userPrincipalName;
    const rng = rngFor(seed, upn, "access");
    const entry: Access = { mailboxPermissions: [], recipientPermissions: [], calendarPermissions: [] };
    switch (person.kind) {
      case "shared":
        entry.mailboxPermissions = team.map((m) => full(m));
        if (admin) entry.mailboxPermissions.push(full(admin, { isInherited: true }));
        if (contractor) entry.mailboxPermissions.push(full(contractor, { deny: true }));
        entry.recipientPermissions = team.map((m) => ({
          trustee: m.user.userPrincipalName,
          accessRights: ["SendAs" as const],
        }));
        entry.calendarPermissions = [myOrganization("limitedRead"), ...team.map((m) => share(m, "write"))];
        break;
      case "room":
      case "equipment":
        if (officeManager) {
          entry.mailboxPermissions = [full(officeManager)];
          entry.calendarPermissions = [myOrganization("freeBusyRead"), share(officeManager, "write")];
        } else entry.calendarPermissions = [myOrganization("freeBusyRead")];
        break;
      case "disabled":
        // A leaver's mailbox is handed to the manager (and readable by IT)
        if (salesDirector) entry.mailboxPermissions.push(full(salesDirector));
        if (admin)
          entry.mailboxPermissions.push({
            user: admin.user.userPrincipalName,
            accessRights: ["ReadPermission"],
            isInherited: false,
            deny: false,
          });
        entry.calendarPermissions = [myOrganization("freeBusyRead")];
        break;
      default: {
        entry.calendarPermissions = [myOrganization(rng.chance(0.3) ? "limitedRead" : "freeBusyRead")];
        const others = regular.filter((p) => p !== person);
        for (const colleague of rng.sample(others, rng.int(0, 2))) {
          entry.calendarPermissions.push(
            share(colleague, rng.pick(["read", "limitedRead", "write", "freeBusyRead"])),
          );
        }
        if (rng.chance(0.2)) {
          entry.calendarPermissions.push({
            emailAddress: { name: "Partner Calendar (Fabrikam)", address: "calendar@fabrikam.example" },
            role: "freeBusyRead",
            allowedRoles: EXTERNAL_ROLES,
            isRemovable: true,
            isInsideOrganization: false,
          });
        }
      }
    }
    if (person === ceo && assistant) {
      entry.mailboxPermissions.push(full(assistant));
      entry.calendarPermissions = entry.calendarPermissions.filter(
        (p) => (p as { emailAddress: { address?: string } }).emailAddress.address !== assistant.user.mail,
      );
      entry.calendarPermissions.push(share(assistant, "delegateWithPrivateEventAccess"));
    }
    access.set(upn, entry);
  }
  return access;
}
