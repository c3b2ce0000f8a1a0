import { badRequest, GraphError, jsonBody, notFound } from "../http";
import { ALLOWED_CALENDAR_ROLES, type CalendarPermissionRec, calendarPermissionId } from "../model/mailbox";
import { contextUrl, type GraphCtx, type GraphRouter, json, mailboxOf, noContent } from "./context";

/** `calendarPermissions` of the primary calendar (reference B.1), read and write. */

function permJson(p: CalendarPermissionRec): Record<string, unknown> {
  return {
    id: p.id,
    isRemovable: p.isRemovable,
    isInsideOrganization: p.isInsideOrganization,
    role: p.role,
    allowedRoles: p.allowedRoles,
    emailAddress: p.emailAddress,
  };
}

function list(ctx: GraphCtx) {
  const { mbx, user } = mailboxOf(ctx);
  return json(200, {
    "@odata.context": contextUrl(ctx, `users('${user.id}')/calendar/calendarPermissions`),
    value: mbx.perms.calendar.map(permJson),
  });
}

function checkRole(role: unknown): string {
  if (typeof role !== "string" || !ALLOWED_CALENDAR_ROLES.includes(role))
    throw badRequest(`role must be one of ${ALLOWED_CALENDAR_ROLES.join(", ")}.`, "ErrorInvalidParameter");
  return role;
}

export function registerCalendarPermissions(r: GraphRouter): void {
  for (const base of [
    "users/:user/calendar/calendarPermissions",
    "users/:user/calendars/:cal/calendarPermissions",
  ]) {
    r.add("GET", base, list);
    r.add("GET", `${base}/:perm`, (ctx) => {
      const { mbx } = mailboxOf(ctx);
      const p = mbx.perms.calendar.find((x) => x.id === ctx.params.perm);
      if (!p) throw notFound();
      return json(200, { "@odata.context": contextUrl(ctx, "calendarPermissions/$entity"), ...permJson(p) });
    });
    r.add("POST", base, (ctx) => {
      const { mbx } = mailboxOf(ctx);
      const b = jsonBody<{
        emailAddress?: { name?: string; address?: string };
        role?: string;
        isInsideOrganization?: boolean;
      }>(ctx.req);
      if (!b.emailAddress?.address)
        throw badRequest("emailAddress.address is required.", "ErrorInvalidParameter");
      const id = calendarPermissionId(b.emailAddress.address);
      if (mbx.perms.calendar.some((x) => x.id === id))
        throw new GraphError(409, "ErrorItemAlreadyExists", "A permission for this recipient exists.");
      const p: CalendarPermissionRec = {
        id,
        emailAddress: {
          ...(b.emailAddress.name ? { name: b.emailAddress.name } : {}),
          address: b.emailAddress.address,
        },
        role: checkRole(b.role),
        allowedRoles: [...ALLOWED_CALENDAR_ROLES],
        isRemovable: true,
        isInsideOrganization: b.isInsideOrganization ?? true,
      };
      mbx.perms.calendar.push(p);
      ctx.sim.tenant.changed();
      return json(201, { "@odata.context": contextUrl(ctx, "calendarPermissions/$entity"), ...permJson(p) });
    });
    r.add("PATCH", `${base}/:perm`, (ctx) => {
      const { mbx } = mailboxOf(ctx);
      const p = mbx.perms.calendar.find((x) => x.id === ctx.params.perm);
      if (!p) throw notFound();
      const b = jsonBody<{ role?: string }>(ctx.req);
      p.role = checkRole(b.role);
      ctx.sim.tenant.changed();
      return json(200, { "@odata.context": contextUrl(ctx, "calendarPermissions/$entity"), ...permJson(p) });
    });
    r.add("DELETE", `${base}/:perm`, (ctx) => {
      const { mbx } = mailboxOf(ctx);
      const p = mbx.perms.calendar.find((x) => x.id === ctx.params.perm);
      if (!p) throw notFound();
      if (!p.isRemovable)
        throw new GraphError(403, "ErrorAccessDenied", "This permission cannot be removed.");
      mbx.perms.calendar = mbx.perms.calendar.filter((x) => x !== p);
      ctx.sim.tenant.changed();
      return noContent();
    });
  }
}
