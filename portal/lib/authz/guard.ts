import "server-only";
import { randomUUID } from "node:crypto";
import { getMailboxRelation } from "@coffer/db/access/mailbox-access";
import { forbidden, notFound, unauthorized, unstable_rethrow } from "next/navigation";
import type { TPrincipal } from "../auth/identity";
import { currentPrincipal } from "../auth/session";
import { db } from "../db";
import { AppError, isExpectedError, MESSAGES, type TErrorCode } from "../errors";
import {
  decideAdmin,
  decideMailboxAccess,
  decideSignedIn,
  type TDecision,
  type TMailboxAccess,
  type TMailboxNeed,
} from "./policy";

/**
 * The one place where the portal checks authorization. Every page, route handler and server action that
 * shows or changes anything beyond public pages starts with one of the `require*` functions below, through
 * `onPage` (pages: Next's 401/403/404 pages) or `withRoute` (route handlers: a status and a sentence). The
 * rules themselves are pure functions in policy.ts.
 */

const REFUSAL: Record<TErrorCode, string> = {
  unauthenticated: MESSAGES.signIn,
  forbidden: MESSAGES.contentView,
  not_found: MESSAGES.notFound,
  invalid_input: "The request is not valid.",
  unavailable: "Coffer cannot answer right now. Try again in a minute.",
};

function unwrap<T>(decision: TDecision<T>, forbiddenMessage?: string): T {
  if (decision.ok) return decision.value;
  throw new AppError(
    decision.code,
    decision.code === "forbidden" && forbiddenMessage ? forbiddenMessage : REFUSAL[decision.code],
  );
}

export async function requireSignedIn(): Promise<TPrincipal> {
  return unwrap(decideSignedIn(await currentPrincipal()));
}

export async function requireAdmin(): Promise<TPrincipal> {
  return unwrap(decideAdmin(await currentPrincipal()));
}

/** The mailbox, if the signed-in principal may see `need` of it. */
export async function requireMailbox(
  mailboxId: string,
  need: TMailboxNeed,
): Promise<{ principal: TPrincipal; access: TMailboxAccess }> {
  const principal = await currentPrincipal();
  if (!principal) throw new AppError("unauthenticated", MESSAGES.signIn);
  const relation = await getMailboxRelation(db(), principal.oid, mailboxId);
  return { principal, access: unwrap(decideMailboxAccess(principal, relation, need)) };
}

/**
 * For pages: awaits a `require*` call and turns a refusal into Next's 401 / 403 / 404 page (the status
 * code is sent because pages render without streaming before this resolves).
 */
export async function onPage<T>(check: Promise<T>): Promise<T> {
  try {
    return await check;
  } catch (error) {
    unstable_rethrow(error);
    if (isExpectedError(error)) {
      if (error.code === "unauthenticated") unauthorized();
      if (error.code === "forbidden") forbidden();
      if (error.code === "not_found") notFound();
    }
    throw error;
  }
}

type TRouteContext<P> = { params: Promise<P> };

/**
 * For route handlers: runs the handler and answers expected errors with their status and sentence, and
 * anything else with 500 and a reference that is also in the server log (nothing internal is sent).
 * Responses are never cached: they depend on who asks.
 */
export function withRoute<P>(
  handler: (request: Request, params: P) => Promise<Response>,
): (request: Request, context: TRouteContext<P>) => Promise<Response> {
  return async (request, context) => {
    try {
      return await handler(request, await context.params);
    } catch (error) {
      if (isExpectedError(error)) return errorResponse(error.status, error.userMessage);
      const reference = randomUUID();
      console.error(`route ${new URL(request.url).pathname} failed (reference ${reference})`, error);
      return errorResponse(500, `Something went wrong. Reference for your administrator: ${reference}`);
    }
  };
}

function errorResponse(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
