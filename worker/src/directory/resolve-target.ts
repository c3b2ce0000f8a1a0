import type { TaskTargetKind } from "@coffer/db/schema";
import type { TDirectoryUser } from "../graph/port";
import { splitAddressList, type TTaskTarget } from "../tasks/target-rules";
import type { Directory } from "./directory";

/**
 * From a task's target to the users it runs on (at run time), and from a form's target to what is stored
 * (at save time, where an unknown group or address is refused).
 */

/** A target that cannot be resolved at all (the group was deleted): the run fails with this message. */
export class TargetUnavailableError extends Error {
  override readonly name = "TargetUnavailableError";
}

export type TTargetResolution = {
  /** Distinct users, in the directory's order. */
  users: TDirectoryUser[];
  /** Names that matched nothing (typed addresses of a list), with why. */
  unresolved: Array<{ name: string; reason: string }>;
  /** For the run log: "group Sales: 12 users (cached membership from 10:02)". */
  summary: string;
  /** All users of the tenant, without an explicit target: disabled/unlicensed ones are left out quietly. */
  isWholeTenant: boolean;
};

type TStoredTarget = { target_kind: TaskTargetKind; target_value: string; target_group_id: string | null };

export async function resolveTargetUsers(dir: Directory, task: TStoredTarget): Promise<TTargetResolution> {
  const unresolved: TTargetResolution["unresolved"] = [];
  const fromGroup = async (groupId: string, label: string): Promise<TTargetResolution> => {
    const m = await dir.groupMembers(groupId);
    const when = new Date(m.fetchedAt).toISOString();
    return {
      users: m.members,
      unresolved,
      summary: `${label}: ${m.members.length} users (${m.isCached ? `membership cached at ${when}` : "membership read now"})`,
      isWholeTenant: false,
    };
  };

  switch (task.target_kind) {
    case "group_lookup": {
      const id = task.target_group_id ?? task.target_value;
      const group = await dir.getGroup(id);
      if (!group)
        throw new TargetUnavailableError(
          `The group ${task.target_value} (${id}) no longer exists in the directory.`,
        );
      return fromGroup(group.id, `group ${group.displayName}`);
    }
    case "group_dn": {
      const group = await dir.findGroupByDn(task.target_value);
      if (!group)
        throw new TargetUnavailableError(`No group has the distinguished name ${task.target_value}.`);
      return fromGroup(group.id, `group ${group.displayName}`);
    }
    case "group_email": {
      const owner = await dir.findByAddress(task.target_value);
      if (owner.kind === "group")
        return fromGroup(owner.group.id, `group ${owner.group.displayName} <${task.target_value}>`);
      if (owner.kind === "user") {
        return {
          users: [owner.user],
          unresolved,
          summary: `mailbox ${owner.user.userPrincipalName}`,
          isWholeTenant: false,
        };
      }
      throw new TargetUnavailableError(`No group or mailbox has the address ${task.target_value}.`);
    }
    case "mailbox":
    case "mailbox_list": {
      const users = new Map<string, TDirectoryUser>();
      const addresses = splitAddressList(task.target_value);
      for (const address of addresses) {
        const user = await dir.findUser(address);
        if (user) users.set(user.id, user);
        else unresolved.push({ name: address, reason: "no mailbox with this address in the directory" });
      }
      if (users.size === 0 && task.target_kind === "mailbox") {
        throw new TargetUnavailableError(`No mailbox has the address ${task.target_value}.`);
      }
      return {
        users: [...users.values()],
        unresolved,
        summary: `${addresses.length} listed ${addresses.length === 1 ? "mailbox" : "mailboxes"}`,
        isWholeTenant: false,
      };
    }
    case "all_licensed": {
      const all = await dir.listUsers();
      const users = all.filter((u) => u.accountEnabled && u.isLicensed);
      return {
        users,
        unresolved,
        summary: `all licensed mailboxes: ${users.length} of ${all.length} directory users are enabled and licensed`,
        isWholeTenant: true,
      };
    }
  }
}

/** What a valid form target is stored as. */
export type TStoredTargetValue = { kind: TaskTargetKind; value: string; groupId: string | null };

/**
 * Checks a form's target against the directory. Returns what to store, or a sentence for the form:
 * the seed's "unknown group" cases (a lookup id, DN or address that matches nothing).
 */
export async function checkTarget(
  dir: Directory,
  target: TTaskTarget,
): Promise<{ ok: true; stored: TStoredTargetValue } | { ok: false; field: string; message: string }> {
  switch (target.kind) {
    case "group_lookup": {
      const g = await dir.getGroup(target.groupId);
      if (!g)
        return {
          ok: false,
          field: "target.groupId",
          message: `There is no group with the id ${target.groupId} in the directory.`,
        };
      return { ok: true, stored: { kind: target.kind, value: g.displayName, groupId: g.id } };
    }
    case "group_dn": {
      const g = await dir.findGroupByDn(target.dn);
      if (!g) {
        return {
          ok: false,
          field: "target.dn",
          message: `No group in the directory has the distinguished name ${target.dn} (only groups synchronised from Active Directory have one).`,
        };
      }
      return { ok: true, stored: { kind: target.kind, value: target.dn, groupId: g.id } };
    }
    case "group_email": {
      const owner = await dir.findByAddress(target.address);
      if (owner.kind === "none") {
        return {
          ok: false,
          field: "target.address",
          message: `No group or mailbox has the address ${target.address}.`,
        };
      }
      return {
        ok: true,
        stored: {
          kind: target.kind,
          value: target.address,
          groupId: owner.kind === "group" ? owner.group.id : null,
        },
      };
    }
    case "mailbox": {
      const user = await dir.findUser(target.address);
      if (!user)
        return {
          ok: false,
          field: "target.address",
          message: `No mailbox has the address ${target.address}.`,
        };
      return { ok: true, stored: { kind: target.kind, value: target.address, groupId: null } };
    }
    case "mailbox_list": {
      const missing: string[] = [];
      for (const a of target.addresses) if (!(await dir.findUser(a))) missing.push(a);
      if (missing.length) {
        return {
          ok: false,
          field: "target.addresses",
          message: `No mailbox has the ${missing.length === 1 ? "address" : "addresses"} ${missing.join(", ")}.`,
        };
      }
      return { ok: true, stored: { kind: target.kind, value: target.addresses.join(";"), groupId: null } };
    }
    case "all_licensed":
      return { ok: true, stored: { kind: target.kind, value: "", groupId: null } };
  }
}
