import { GraphError, type SimRequest, type SimResponse } from "./http";
import { defaultFaults, type Faults } from "./limits";
import type { FolderRec, Mailbox, MsgRec } from "./model/mailbox";
import { defaultCalendarPermissions } from "./model/mailbox";
import { type GroupRec, normalizeCalendarPermission, type UserRec } from "./model/tenant";
import type { Simulator } from "./sim";
import { loadGenerator } from "./tenant-source";

/**
 * The control API under `/_sim/` (loopback only). Tests, benchmarks and tools seed tenants, mutate
 * mailboxes "as a user would" and read back the truth. Every endpoint is documented in README.md.
 */

export type ControlHook = (sim: Simulator) => void;
/** Other modules (PIM stores, groups) add their own control endpoints and state sections here. */
export const stateContributors: Array<
  (sim: Simulator, user: UserRec, mbx: Mailbox) => Record<string, unknown>
> = [];

function ok(body: unknown, status = 200): SimResponse {
  return { status, json: body };
}

function fail(status: number, message: string, code = "BadRequest"): GraphError {
  return new GraphError(status, code, message);
}

function body<T>(req: SimRequest): T {
  if (req.body.length === 0) return {} as T;
  try {
    return JSON.parse(req.body.toString("utf8")) as T;
  } catch {
    throw fail(400, "The body is not valid JSON.");
  }
}

function userOr404(sim: Simulator, upn: string | undefined): UserRec {
  const u = sim.tenant.userByIdOrUpn(upn ?? "");
  if (!u) throw fail(404, `No user '${upn}'.`, "NotFound");
  return u;
}

export function mailboxOr404(sim: Simulator, upn: string | undefined): { user: UserRec; mbx: Mailbox } {
  const user = userOr404(sim, upn);
  const mbx = sim.tenant.mailboxOf(user);
  if (!mbx) throw fail(404, `User '${upn}' has no mailbox.`, "NotFound");
  return { user, mbx };
}

function folderByIdOrPath(mbx: Mailbox, idOrPath: string): FolderRec {
  const f = mbx.findFolder(idOrPath) ?? mbx.folderByPath(idOrPath);
  if (!f) throw fail(404, `No folder '${idOrPath}'.`, "NotFound");
  return f;
}

function messageOr404(mbx: Mailbox, id: string | undefined): MsgRec {
  const m = mbx.findMessage(id ?? "");
  if (!m) throw fail(404, `No message '${id}'.`, "NotFound");
  return m;
}

function wrap(
  fn: (sim: Simulator, req: SimRequest, params: Record<string, string>) => Promise<SimResponse> | SimResponse,
) {
  return async (sim: Simulator, req: SimRequest, params: Record<string, string>): Promise<SimResponse> => {
    try {
      return await fn(sim, req, params);
    } catch (err) {
      if (err instanceof GraphError)
        return { status: err.status, json: { error: { code: err.code, message: err.message } } };
      return {
        status: 500,
        json: { error: { code: "InternalServerError", message: (err as Error).message } },
      };
    }
  };
}

export function normalizeFaults(sim: Simulator, input: Partial<Faults>): Faults {
  const f = { ...defaultFaults(sim.initialThrottle), ...input };
  for (const k of ["rate429", "rate503", "rate504", "resetRate", "deltaReplayRate"] as const) {
    const v = Number(f[k]);
    if (!(v >= 0 && v <= 1)) throw fail(400, `${k} must be between 0 and 1.`);
    f[k] = v;
  }
  if (!(Number(f.latencyMs) >= 0)) throw fail(400, "latencyMs must be >= 0.");
  if (f.match) {
    try {
      new RegExp(f.match);
    } catch {
      throw fail(400, "match is not a valid regular expression.");
    }
  }
  return f;
}

export function resetState(sim: Simulator): void {
  sim.stats.reset();
  sim.throttle.reset();
  sim.tenant.composed.clear();
  sim.setFaults(defaultFaults(sim.initialThrottle));
  for (const k of [...sim.runtime.keys()]) if (!k.startsWith("entra.")) sim.runtime.delete(k);
}

export function registerControl(sim: Simulator): void {
  const r = sim.control;

  r.add(
    "GET",
    "health",
    wrap((s) =>
      ok({
        status: "ok",
        tenantId: s.tenant.tenantId,
        users: s.tenant.users.size,
        generator: s.tenant.generator,
      }),
    ),
  );

  r.add(
    "GET",
    "tenant",
    wrap((s) =>
      ok({
        tenantId: s.tenant.tenantId,
        domain: s.tenant.domain,
        authority: `${s.url}/${s.tenant.tenantId}`,
        graphUrl: s.url,
        clientId: s.tenant.apps.worker.clientId,
        clientSecret: s.tenant.apps.worker.clientSecret,
        portalClientId: s.tenant.apps.portal.clientId,
        portalClientSecret: s.tenant.apps.portal.clientSecret,
      }),
    ),
  );

  r.add(
    "POST",
    "reset",
    wrap(async (s, req) => {
      const b = body<{
        seed?: number;
        users?: number;
        messagesPerUser?: number;
        empty?: boolean;
        generator?: string;
      }>(req);
      resetState(s);
      if (b.empty) {
        s.tenant.clearDirectory();
        s.tenant.changed();
        return ok({ users: 0 });
      }
      if (typeof b.seed !== "number")
        throw fail(400, 'Body must be {"empty": true} or {"seed": n, "users": n, "messagesPerUser": n}.');
      const gen = await loadGenerator({ standIn: b.generator === "stand-in" });
      s.tenant.populate(gen, {
        seed: b.seed,
        users: b.users ?? 25,
        messagesPerUser: b.messagesPerUser ?? 500,
      });
      return ok({ users: s.tenant.users.size, generator: gen.kind });
    }),
  );

  r.add(
    "GET",
    "users",
    wrap((s) =>
      ok(
        [...s.tenant.users.values()].map((u) => ({
          id: u.id,
          userPrincipalName: u.userPrincipalName,
          displayName: u.displayName,
          accountEnabled: u.accountEnabled,
          licensed: u.licensed,
          userPurpose: u.userPurpose,
          hasMailbox: u.hasMailbox,
        })),
      ),
    ),
  );

  r.add(
    "POST",
    "users",
    wrap((s, req) => {
      const b = body<Partial<UserRec> & { userPrincipalName?: string; displayName?: string }>(req);
      if (!b.userPrincipalName || !b.displayName)
        throw fail(400, "userPrincipalName and displayName are required.");
      if (s.tenant.userByIdOrUpn(b.userPrincipalName))
        throw fail(409, `User '${b.userPrincipalName}' exists.`, "Conflict");
      const licensed = b.licensed ?? true;
      const purpose = b.userPurpose ?? "user";
      const u = s.tenant.addUser({
        userPrincipalName: b.userPrincipalName,
        displayName: b.displayName,
        givenName: b.givenName ?? null,
        surname: b.surname ?? null,
        mail: b.mail ?? b.userPrincipalName,
        accountEnabled: b.accountEnabled ?? true,
        licensed,
        userPurpose: purpose,
        jobTitle: b.jobTitle ?? null,
        department: b.department ?? null,
        hasMailbox: b.hasMailbox ?? (licensed || purpose !== "user"),
        ...(b.password ? { password: b.password } : {}),
      });
      return ok({ id: u.id }, 201);
    }),
  );

  r.add(
    "PATCH",
    "users/:upn",
    wrap((s, req, p) => {
      const u = userOr404(s, p.upn);
      const b =
        body<
          Partial<
            Pick<
              UserRec,
              | "displayName"
              | "accountEnabled"
              | "licensed"
              | "userPurpose"
              | "password"
              | "department"
              | "jobTitle"
              | "appRoles"
            >
          >
        >(req);
      for (const k of [
        "displayName",
        "accountEnabled",
        "licensed",
        "userPurpose",
        "password",
        "department",
        "jobTitle",
        "appRoles",
      ] as const) {
        if (b[k] !== undefined) (u as unknown as Record<string, unknown>)[k] = b[k];
      }
      s.tenant.changed();
      return ok({ id: u.id });
    }),
  );

  r.add(
    "DELETE",
    "users/:upn",
    wrap((s, _req, p) => {
      const u = userOr404(s, p.upn);
      s.tenant.removeUser(u.id);
      return { status: 204 };
    }),
  );

  r.add(
    "POST",
    "users/:upn/folders",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const b = body<{ path?: string }>(req);
      if (!b.path) throw fail(400, "path is required.");
      const f = mbx.ensurePath(b.path);
      s.tenant.changed();
      return ok({ id: f.id, path: mbx.folderPath(f) }, 201);
    }),
  );

  r.add(
    "PATCH",
    "users/:upn/folders/:id",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const f = folderByIdOrPath(mbx, p.id ?? "");
      if (f.wellKnown) throw fail(400, "Well-known folders cannot be renamed or moved.");
      const b = body<{ displayName?: string; parentPath?: string }>(req);
      const oldParent = f.parentId;
      if (b.parentPath !== undefined) {
        const parent = b.parentPath === "" ? mbx.root : mbx.ensurePath(b.parentPath);
        if (mbx.isUnderOrSelf(parent, f.id)) throw fail(400, "A folder cannot be moved into itself.");
        f.parentId = parent.id;
        mbx.touchFolder(parent);
      }
      if (b.displayName) f.displayName = b.displayName;
      mbx.touchFolder(f);
      const old = oldParent ? mbx.folders.get(oldParent) : undefined;
      if (old && old.id !== f.parentId) mbx.touchFolder(old);
      s.tenant.changed();
      return ok({ id: f.id, path: mbx.folderPath(f) });
    }),
  );

  r.add(
    "DELETE",
    "users/:upn/folders/:id",
    wrap((s, _req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const f = folderByIdOrPath(mbx, p.id ?? "");
      if (f.wellKnown) throw fail(400, "Well-known folders cannot be deleted.");
      mbx.removeFolderTree(f);
      s.tenant.changed();
      return { status: 204 };
    }),
  );

  r.add(
    "POST",
    "users/:upn/messages",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      if (req.body.length === 0) throw fail(400, "The body must be the raw RFC 5322 message.");
      const folderPath = req.query.get("folder") ?? "Inbox";
      const folder = mbx.findFolder(folderPath) ?? mbx.ensurePath(folderPath);
      const rd = req.query.get("receiveddatetime");
      const received = rd ? new Date(rd) : new Date();
      if (Number.isNaN(received.getTime())) throw fail(400, "receivedDateTime is not a valid date.");
      const sha = s.tenant.blobs.put(req.body);
      const iso = received.toISOString();
      const isRead = (req.query.get("isread") ?? "false") === "true";
      const m = mbx.addMessage({
        folderId: folder.id,
        src: { k: "blob", sha },
        created: iso,
        modified: iso,
        received: iso,
        isRead,
        isDraft: folder.wellKnown === "drafts",
      });
      s.tenant.changed();
      return ok(
        {
          id: mbx.messageId(m, "rest"),
          immutableId: mbx.messageId(m, "immutable"),
          sha256: sha,
          size: req.body.length,
        },
        201,
      );
    }),
  );

  r.add(
    "POST",
    "users/:upn/messages/:id/move",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const m = messageOr404(mbx, p.id);
      const b = body<{ folder?: string }>(req);
      if (!b.folder) throw fail(400, "folder is required.");
      const dest = mbx.findFolder(b.folder) ?? mbx.ensurePath(b.folder);
      mbx.moveMessage(m, dest);
      s.tenant.changed();
      return ok({ id: mbx.messageId(m, "rest"), immutableId: mbx.messageId(m, "immutable") });
    }),
  );

  r.add(
    "PATCH",
    "users/:upn/messages/:id",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const m = messageOr404(mbx, p.id);
      const b = body<{ isRead?: boolean; categories?: string[] }>(req);
      if (b.isRead !== undefined) m.isRead = b.isRead;
      if (b.categories !== undefined) m.categories = b.categories;
      mbx.touchMessage(m);
      s.tenant.changed();
      return ok({ id: mbx.messageId(m, "rest") });
    }),
  );

  r.add(
    "DELETE",
    "users/:upn/messages/:id",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const m = messageOr404(mbx, p.id);
      if (req.query.get("soft") === "true") {
        const dest = mbx.wellKnown("deleteditems");
        if (dest) mbx.moveMessage(m, dest);
      } else mbx.removeMessage(m);
      s.tenant.changed();
      return { status: 204 };
    }),
  );

  r.add(
    "POST",
    "users/:upn/large-mailbox",
    wrap(async (s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const b = body<{ seed?: number; messages?: number; hugeMessageBytes?: number; generator?: string }>(
        req,
      );
      if (typeof b.messages !== "number" || b.messages < 1)
        throw fail(400, "messages (a positive number) is required.");
      const gen = await loadGenerator({ standIn: b.generator === "stand-in" });
      const params = {
        seed: b.seed ?? 1,
        messages: b.messages,
        ...(b.hugeMessageBytes ? { hugeMessageBytes: b.hugeMessageBytes } : {}),
      };
      const n = await s.tenant.addLargeMailbox(mbx, gen, params);
      const out: Record<string, unknown> = { messages: n, generator: gen.kind };
      if (params.hugeMessageBytes) {
        const huge = [...mbx.messages.values()].find((m) => m.src.k === "large" && m.src.i === 0);
        if (huge) {
          out.hugeMessageId = mbx.messageId(huge, "rest");
          out.hugeMessageImmutableId = mbx.messageId(huge, "immutable");
          out.hugeMessageSha256 = mbx.digest(huge).sha256;
        }
      }
      return ok(out, 201);
    }),
  );

  r.add(
    "GET",
    "users/:upn/state",
    wrap(async (s, _req, p) => {
      const { user, mbx } = mailboxOr404(s, p.upn);
      // sha256/size of generated MIME not yet known (no $value so far) take a composition each: do
      // those first, giving other requests a turn every ~50 ms, then answer from one synchronous pass
      await digestAll(mbx, [...mbx.ipmMessages()]);
      const paths = new Map<string, string>();
      const pathOf = (f: FolderRec) => {
        let path = paths.get(f.id);
        if (path === undefined) {
          path = mbx.folderPath(f);
          paths.set(f.id, path);
        }
        return path;
      };
      const folders = [...mbx.folders.values()]
        .filter((f) => mbx.isIpm(f))
        .map((f) => ({
          id: f.id,
          path: pathOf(f),
          hidden: f.hidden,
          wellKnownName: f.wellKnown ?? null,
        }));
      folders.sort((a, b) => a.path.localeCompare(b.path));
      const messages = [...mbx.ipmMessages()].map((m) => {
        const digest = mbx.digest(m);
        return {
          id: mbx.messageId(m, "rest"),
          immutableId: mbx.messageId(m, "immutable"),
          folderPath: pathOf(mbx.folders.get(m.folderId) as FolderRec),
          internetMessageId: m.over?.internetMessageId ?? mbx.meta(m).messageId ?? null,
          sha256: digest.sha256,
          size: digest.size,
          receivedDateTime: m.received,
          isRead: m.isRead,
          isDraft: m.isDraft,
        };
      });
      const out: Record<string, unknown> = {
        folders,
        messages,
        permissions: {
          mailboxPermissions: mbx.perms.mailbox,
          recipientPermissions: mbx.perms.recipient,
          calendarPermissions: mbx.perms.calendar,
        },
      };
      for (const c of stateContributors) Object.assign(out, c(s, user, mbx));
      return ok(out);
    }),
  );

  r.add(
    "GET",
    "faults",
    wrap((s) => ok(s.faults.faults)),
  );
  r.add(
    "PUT",
    "faults",
    wrap((s, req) => {
      const f = normalizeFaults(s, body<Partial<Faults>>(req));
      s.setFaults(f);
      return ok(f);
    }),
  );

  r.add(
    "GET",
    "stats",
    wrap((s) => {
      const mailboxes: Record<string, unknown> = {};
      for (const [id, st] of s.stats.perMailbox) {
        const u = s.tenant.users.get(id);
        mailboxes[u?.userPrincipalName ?? id] = { ...st };
      }
      return ok({ total: s.stats.total, mailboxes, faultsInjected: s.faults.injected });
    }),
  );
  r.add(
    "DELETE",
    "stats",
    wrap((s) => {
      s.stats.reset();
      return { status: 204 };
    }),
  );

  // ---------- groups ----------
  const KINDS: Record<string, { groupTypes: string[]; mailEnabled: boolean; securityEnabled: boolean }> = {
    m365: { groupTypes: ["Unified"], mailEnabled: true, securityEnabled: false },
    security: { groupTypes: [], mailEnabled: false, securityEnabled: true },
    mailsecurity: { groupTypes: [], mailEnabled: true, securityEnabled: true },
    distribution: { groupTypes: [], mailEnabled: true, securityEnabled: false },
  };
  const kindOf = (g: GroupRec): string =>
    g.groupTypes.includes("Unified")
      ? "m365"
      : g.mailEnabled && g.securityEnabled
        ? "mailSecurity"
        : g.mailEnabled
          ? "distribution"
          : "security";
  const groupOr404 = (s: Simulator, id: string | undefined): GroupRec => {
    const g = s.tenant.groups.get((id ?? "").toLowerCase());
    if (!g) throw fail(404, `No group '${id}'.`, "NotFound");
    return g;
  };
  const memberId = (s: Simulator, b: { upn?: string; userId?: string; groupId?: string }): string => {
    if (b.groupId) return groupOr404(s, b.groupId).id;
    const u = userOr404(s, b.upn ?? b.userId);
    return u.id;
  };
  const groupView = (g: GroupRec) => ({
    id: g.id,
    displayName: g.displayName,
    mail: g.mail,
    kind: kindOf(g),
    proxyAddresses: g.proxyAddresses,
    onPremisesDistinguishedName: g.onPremisesDistinguishedName,
    memberIds: g.memberIds,
  });

  r.add(
    "GET",
    "groups",
    wrap((s) => ok([...s.tenant.groups.values()].map(groupView))),
  );
  r.add(
    "POST",
    "groups",
    wrap((s, req) => {
      const b = body<{
        displayName?: string;
        kind?: string;
        mail?: string;
        proxyAddresses?: string[];
        onPremisesDistinguishedName?: string;
        onPremisesSyncEnabled?: boolean;
        description?: string;
        memberUpns?: string[];
        memberGroupIds?: string[];
      }>(req);
      if (!b.displayName) throw fail(400, "displayName is required.");
      const kind = KINDS[(b.kind ?? "security").toLowerCase()];
      if (!kind) throw fail(400, "kind must be m365, security, mailSecurity or distribution.");
      if (kind.mailEnabled && !b.mail) throw fail(400, "Mail-enabled groups need a mail address.");
      const memberIds = [
        ...(b.memberUpns ?? []).map((upn) => userOr404(s, upn).id),
        ...(b.memberGroupIds ?? []).map((id) => groupOr404(s, id).id),
      ];
      const g = s.tenant.addGroup({
        displayName: b.displayName,
        description: b.description ?? null,
        mail: kind.mailEnabled ? (b.mail ?? null) : null,
        mailNickname: (b.mail ?? b.displayName).split("@")[0]?.replace(/[^A-Za-z0-9._-]/g, "") ?? "group",
        ...kind,
        onPremisesDistinguishedName: b.onPremisesDistinguishedName ?? null,
        onPremisesSyncEnabled: b.onPremisesSyncEnabled ?? (b.onPremisesDistinguishedName ? true : null),
        proxyAddresses: b.proxyAddresses ?? (b.mail && kind.mailEnabled ? [`SMTP:${b.mail}`] : []),
        memberIds,
      });
      return ok({ id: g.id }, 201);
    }),
  );
  r.add(
    "DELETE",
    "groups/:id",
    wrap((s, _req, p) => {
      const g = groupOr404(s, p.id);
      s.tenant.groups.delete(g.id);
      for (const x of s.tenant.groups.values()) x.memberIds = x.memberIds.filter((m) => m !== g.id);
      s.tenant.changed();
      return { status: 204 };
    }),
  );
  r.add(
    "POST",
    "groups/:id/members",
    wrap((s, req, p) => {
      const g = groupOr404(s, p.id);
      const id = memberId(s, body(req));
      if (id === g.id) throw fail(400, "A group cannot contain itself.");
      if (!g.memberIds.includes(id)) g.memberIds.push(id);
      s.tenant.changed();
      return ok({ id: g.id, memberIds: g.memberIds });
    }),
  );
  r.add(
    "DELETE",
    "groups/:id/members/:member",
    wrap((s, _req, p) => {
      const g = groupOr404(s, p.id);
      const member =
        s.tenant.groups.get((p.member ?? "").toLowerCase())?.id ??
        s.tenant.userByIdOrUpn(p.member ?? "")?.id ??
        p.member;
      g.memberIds = g.memberIds.filter((m) => m !== member);
      s.tenant.changed();
      return { status: 204 };
    }),
  );

  // ---------- permissions ----------
  r.add(
    "GET",
    "users/:upn/permissions",
    wrap((s, _req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      return ok({
        mailboxPermissions: mbx.perms.mailbox,
        recipientPermissions: mbx.perms.recipient,
        calendarPermissions: mbx.perms.calendar,
      });
    }),
  );
  r.add(
    "PUT",
    "users/:upn/mailbox-permissions",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const b =
        body<Array<{ user?: string; accessRights?: string[]; isInherited?: boolean; deny?: boolean }>>(req);
      if (!Array.isArray(b)) throw fail(400, "The body must be an array of {user, accessRights}.");
      mbx.perms.mailbox = b.map((x) => {
        if (!x.user || !Array.isArray(x.accessRights))
          throw fail(400, "Each entry needs user and accessRights.");
        return {
          user: x.user,
          accessRights: x.accessRights,
          isInherited: x.isInherited ?? false,
          deny: x.deny ?? false,
        };
      });
      s.tenant.changed();
      return ok(mbx.perms.mailbox);
    }),
  );
  r.add(
    "PUT",
    "users/:upn/recipient-permissions",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const b = body<Array<{ trustee?: string; accessRights?: string[]; deny?: boolean }>>(req);
      if (!Array.isArray(b)) throw fail(400, "The body must be an array of {trustee, accessRights}.");
      mbx.perms.recipient = b.map((x) => {
        if (!x.trustee) throw fail(400, "Each entry needs a trustee.");
        return { trustee: x.trustee, accessRights: x.accessRights ?? ["SendAs"], deny: x.deny ?? false };
      });
      s.tenant.changed();
      return ok(mbx.perms.recipient);
    }),
  );
  r.add(
    "PUT",
    "users/:upn/calendar-permissions",
    wrap((s, req, p) => {
      const { mbx } = mailboxOr404(s, p.upn);
      const b = body<Array<Record<string, unknown>>>(req);
      if (!Array.isArray(b))
        throw fail(400, "The body must be an array of {emailAddress: {name, address}, role}.");
      const list = b.map((x) => normalizeCalendarPermission(x));
      // the organization-wide default entry always exists in Exchange
      if (!list.some((x) => !x.emailAddress.address)) list.unshift(...defaultCalendarPermissions());
      mbx.perms.calendar = list;
      s.tenant.changed();
      return ok(mbx.perms.calendar);
    }),
  );

  r.add(
    "PUT",
    "token-lifetime",
    wrap((s, req) => {
      const b = body<{ seconds?: number }>(req);
      if (typeof b.seconds !== "number" || b.seconds < 1) throw fail(400, "seconds (>= 1) is required.");
      s.tokenLifetime = Math.floor(b.seconds);
      return ok({ seconds: s.tokenLifetime });
    }),
  );
}

/** Computes (and remembers) the digest of each message, yielding to the event loop every ~50 ms. */
async function digestAll(mbx: Mailbox, messages: MsgRec[]): Promise<void> {
  let slice = performance.now();
  for (const m of messages) {
    if (mbx.messages.get(m.key) === m) mbx.digest(m);
    if (performance.now() - slice > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
}
