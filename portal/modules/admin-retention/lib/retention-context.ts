import "server-only";
import type { TActor } from "@coffer/db/retention/index";
import { settings } from "@coffer/worker/config";
import { requestPurgeByQueue } from "@coffer/worker/retention/apply-policy";
import { runtimeSettings } from "@coffer/worker/runtime/config";
import type { TPrincipal } from "@/lib/auth/identity";
import { requestMeta } from "@/lib/request-meta";

/** The purge request of a policy change: a job on the maintenance queue, which the workers consume. */
export function requestPurge() {
  return requestPurgeByQueue(settings("redis").REDIS_URL, runtimeSettings().COFFER_REDIS_PREFIX);
}

/** The acting administrator, as the audit log records them. */
export async function actorOf(principal: TPrincipal): Promise<TActor> {
  const meta = await requestMeta();
  return { upn: principal.upn, entraId: principal.oid, ip: meta.ip, userAgent: meta.userAgent };
}
