import { describe, expect, it } from "vitest";
import { WELL_KNOWN_FOLDERS } from "./build-folders";
import { GENERATOR_EPOCH, type GeneratedGroup, generateTenant } from "./index";

type Json = Record<string, unknown>;

const tenant = generateTenant({ seed: 1, users: 25, messagesPerUser: 500 });
const byUpn = new Map(tenant.users.map((u) => [u.userPrincipalName, u]));
const groupByName = new Map(tenant.groups.map((g) => [g.displayName, g]));

function keysDeep(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysDeep(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysDeep(v, out);
    }
  }
  return out;
}

describe("directory", () => {
  it("has the shape of a small real tenant for 25 users", () => {
    expect(tenant.users).toHaveLength(25);
    const regular = tenant.users.filter((u) => u.userPurpose === "user" && u.accountEnabled && u.licensed);
    expect(regular).toHaveLength(20);
    expect(tenant.users.filter((u) => u.userPurpose === "user" && !u.accountEnabled)).toHaveLength(2);
    expect(tenant.users.filter((u) => u.userPurpose === "user" && !u.licensed)).toHaveLength(1);
    const shared = tenant.users.filter((u) => u.userPurpose === "shared");
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({ accountEnabled: false, licensed: false });
    expect(tenant.users.filter((u) => u.userPurpose === "room")).toHaveLength(1);
    for (const user of tenant.users) {
      expect(user.userPrincipalName).toMatch(/^[a-z0-9.]+@contoso-demo\.com$/);
      expect(user.mail).toBe(user.userPrincipalName);
    }
    expect(new Set(tenant.users.map((u) => u.userPrincipalName)).size).toBe(25);
    expect(new Set(regular.map((u) => u.department)).size).toBeGreaterThanOrEqual(6);
    // International names, several of them outside ASCII
    expect(
      tenant.users.filter((u) => [...u.displayName].some((c) => c.charCodeAt(0) > 0x7f)).length,
    ).toBeGreaterThanOrEqual(5);
  });

  it("has each of the four group kinds, nesting and a hybrid group", () => {
    const kind = (g: GeneratedGroup) =>
      g.groupTypes.includes("Unified")
        ? "microsoft365"
        : g.mailEnabled && g.securityEnabled
          ? "mailEnabledSecurity"
          : g.securityEnabled
            ? "security"
            : "distribution";
    expect(new Set(tenant.groups.map(kind))).toEqual(
      new Set(["microsoft365", "security", "mailEnabledSecurity", "distribution"]),
    );
    for (const group of tenant.groups) {
      for (const upn of group.memberUpns) expect(byUpn.has(upn), `${group.displayName}: ${upn}`).toBe(true);
      for (const name of group.memberGroupNames)
        expect(groupByName.has(name), `${group.displayName}: ${name}`).toBe(true);
      if (group.mailEnabled) {
        expect(group.proxyAddresses.filter((p) => p.startsWith("SMTP:"))).toEqual([`SMTP:${group.mail}`]);
        expect(group.proxyAddresses.some((p) => p.startsWith("smtp:"))).toBe(true);
      } else expect(group.mail).toBeUndefined();
    }
    // Nested: a security group in a security group, a distribution group in a distribution group
    expect(groupByName.get("SG-VPN-Users")!.memberGroupNames).toContain("SG-Engineering");
    expect(groupByName.get("All Sales")!.memberGroupNames).toEqual(["Sales EMEA"]);
    const hybrid = tenant.groups.filter((g) => g.onPremisesSyncEnabled);
    expect(hybrid).toHaveLength(1);
    expect(hybrid[0]!.onPremisesDistinguishedName).toBe("CN=Sales EMEA,OU=Groups,DC=contoso,DC=local");
    expect(hybrid[0]!.memberUpns.length).toBeGreaterThan(0);
  });
});

describe("mailboxes", () => {
  it("exist for everyone but the unlicensed user, each with the requested message count", () => {
    const withoutMailbox = tenant.users.filter((u) => !tenant.mailboxes[u.userPrincipalName]);
    expect(withoutMailbox.map((u) => u.jobTitle)).toEqual(["Contractor"]);
    for (const mailbox of Object.values(tenant.mailboxes)) expect(mailbox.messageCount).toBe(500);
  });

  it("have folder trees of varied depth, parents first, with the well-known folders", () => {
    const depths = new Set<number>();
    for (const mailbox of Object.values(tenant.mailboxes)) {
      expect(mailbox.folders.slice(0, WELL_KNOWN_FOLDERS.length)).toEqual([...WELL_KNOWN_FOLDERS]);
      mailbox.folders.forEach((path, i) => {
        const parent = path.split("/").slice(0, -1).join("/");
        if (parent) expect(mailbox.folders.indexOf(parent), path).toBeGreaterThanOrEqual(0);
        if (parent) expect(mailbox.folders.indexOf(parent), path).toBeLessThan(i);
      });
      expect(new Set(mailbox.folders).size).toBe(mailbox.folders.length);
      depths.add(Math.max(...mailbox.folders.map((f) => f.split("/").length)));
    }
    expect(depths.size).toBeGreaterThanOrEqual(3);
  });

  it("put every message in one of its folders, dated within three years before the epoch", () => {
    const epoch = Date.parse(GENERATOR_EPOCH);
    let recent = 0;
    let total = 0;
    for (const mailbox of Object.values(tenant.mailboxes)) {
      const folders = new Set(mailbox.folders);
      for (let i = 0; i < mailbox.messageCount; i++) {
        const message = mailbox.message(i);
        expect(folders.has(message.folderPath), message.folderPath).toBe(true);
        expect(message.receivedDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        const at = Date.parse(message.receivedDateTime);
        expect(at).toBeLessThan(epoch);
        expect(at).toBeGreaterThan(epoch - 3 * 366 * 86_400_000);
        if (at > epoch - 14 * 86_400_000) recent++;
        total++;
      }
    }
    // The archive engine protects the last 14 days first, so a good share lands there
    expect(recent / total).toBeGreaterThan(0.12);
    expect(recent / total).toBeLessThan(0.4);
  }, 30_000);

  it("carry no ids: the simulator assigns them", () => {
    for (const mailbox of Object.values(tenant.mailboxes)) {
      const keys = keysDeep([
        mailbox.events,
        mailbox.contactFolders,
        mailbox.todoLists,
        mailbox.notes,
        mailbox.calendarPermissions,
      ]);
      expect(keys.has("id")).toBe(false);
    }
  });
});

const ceo = tenant.users.find((u) => u.jobTitle === "Chief Executive Officer")!;
const assistant = tenant.users.find((u) => u.jobTitle === "Executive Assistant")!;
const sharedUpn = tenant.users.find((u) => u.userPurpose === "shared")!.userPrincipalName;
const ceoMailbox = tenant.mailboxes[ceo.userPrincipalName]!;

describe("calendar", () => {
  const events = ceoMailbox.events as Json[];

  it("has weekly, daily and monthly series with exceptions and cancelled occurrences", () => {
    const masters = events.filter((e) => e.type === "seriesMaster");
    const patterns = masters.map((e) => ((e.recurrence as Json).pattern as Json).type);
    expect(patterns).toEqual(
      expect.arrayContaining(["weekly", "daily", "absoluteMonthly", "absoluteYearly"]),
    );
    const exceptions = events.filter((e) => e.type === "exception");
    expect(exceptions.length).toBeGreaterThanOrEqual(3);
    for (const exception of exceptions) {
      const match = /^events\[(\d+)\]$/.exec(exception.seriesMasterId as string);
      expect(match).not.toBeNull();
      expect(events[Number(match![1])]!.type).toBe("seriesMaster");
      expect(exception.originalStart).toMatch(/Z$/);
    }
    const cancelled = masters.flatMap((m) => m.cancelledOccurrences as string[]);
    expect(cancelled.length).toBeGreaterThanOrEqual(5);
    for (const oid of cancelled) expect(oid).toMatch(/^OID\.events\[\d+\]\.\d{4}-\d\d-\d\d$/);
  });

  it("has all-day events, attendees, online meetings and several time zones", () => {
    expect(events.some((e) => e.isAllDay === true)).toBe(true);
    expect(events.some((e) => (e.attendees as unknown[]).length >= 2)).toBe(true);
    expect(events.some((e) => e.isOnlineMeeting === true && (e.onlineMeeting as Json).joinUrl)).toBe(true);
    expect(new Set(events.map((e) => (e.start as Json).timeZone)).size).toBeGreaterThanOrEqual(3);
    for (const e of events)
      expect((e.start as Json).dateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000$/);
  });

  it("is shared with several roles, the assistant as a delegate", () => {
    const roles = new Set<string>();
    for (const mailbox of Object.values(tenant.mailboxes)) {
      for (const p of mailbox.calendarPermissions as Json[]) {
        roles.add(p.role as string);
        expect(p.allowedRoles).toContain(p.role);
      }
    }
    expect(roles.size).toBeGreaterThanOrEqual(4);
    expect(ceoMailbox.calendarPermissions).toContainEqual(
      expect.objectContaining({
        emailAddress: { name: assistant.displayName, address: assistant.mail },
        role: "delegateWithPrivateEventAccess",
      }),
    );
  });
});

describe("mailbox permissions", () => {
  it("give the assistant FullAccess to the CEO's mailbox", () => {
    expect(ceoMailbox.mailboxPermissions).toContainEqual({
      user: assistant.userPrincipalName,
      accessRights: ["FullAccess"],
      isInherited: false,
      deny: false,
    });
  });

  it("give a team FullAccess and SendAs on the shared mailbox", () => {
    const shared = tenant.mailboxes[sharedUpn]!;
    const full = shared.mailboxPermissions.filter(
      (p) => p.accessRights.includes("FullAccess") && !p.deny && !p.isInherited,
    );
    expect(full.length).toBeGreaterThanOrEqual(2);
    expect(shared.recipientPermissions.map((p) => p.trustee).sort()).toEqual(full.map((p) => p.user).sort());
    for (const p of shared.mailboxPermissions) expect(byUpn.has(p.user)).toBe(true);
  });
});

describe("contacts, To Do and notes", () => {
  it("has contacts with several addresses, phones, addresses and birthdays in two folders", () => {
    const [main, second] = ceoMailbox.contactFolders;
    expect(main!.displayName).toBe("Contacts");
    expect(second).toBeDefined();
    const contacts = [...main!.contacts, ...second!.contacts] as Json[];
    expect(contacts.some((c) => (c.emailAddresses as unknown[]).length >= 2)).toBe(true);
    expect(contacts.some((c) => (c.homePhones as unknown[]).length > 0 && c.mobilePhone)).toBe(true);
    expect(contacts.some((c) => typeof c.birthday === "string")).toBe(true);
    expect(contacts.some((c) => (c.categories as unknown[]).length > 0)).toBe(true);
    expect(contacts.every((c) => (c.businessAddress as Json).city)).toBe(true);
  });

  it("has the default list, two custom lists, steps, recurrence, due dates and attachments", () => {
    const lists = ceoMailbox.todoLists;
    expect(lists.filter((l) => l.wellknownListName === "defaultList")).toHaveLength(1);
    expect(lists.filter((l) => l.wellknownListName === "none").length).toBeGreaterThanOrEqual(2);
    const tasks = lists.flatMap((l) => l.tasks);
    expect(tasks.some((t) => t.checklistItems.length >= 3)).toBe(true);
    expect(tasks.some((t) => (t.task as Json).recurrence)).toBe(true);
    expect(tasks.some((t) => (t.task as Json).dueDateTime)).toBe(true);
    expect(new Set(tasks.map((t) => (t.task as Json).importance)).size).toBeGreaterThanOrEqual(2);
    const attachments = tasks.flatMap((t) => t.attachments);
    expect(attachments.length).toBeGreaterThanOrEqual(2);
    const png = attachments.find((a) => a.contentType === "image/png")!;
    expect(Buffer.from(png.contentBytes, "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  it("has a handful of notes, some non-ASCII", () => {
    const notes = Object.values(tenant.mailboxes).flatMap((m) => m.notes as Json[]);
    expect(notes.length).toBeGreaterThan(20);
    expect(notes.some((n) => [...(n.subject as string)].some((c) => c.charCodeAt(0) > 0x7f))).toBe(true);
    for (const note of notes) expect(note).toMatchObject({ body: { contentType: "html" } });
  });
});
