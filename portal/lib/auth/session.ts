import "server-only";
import { cache } from "react";
import { accessEnv, authEnvStatus } from "../env";
import { principalOf, type TIdentity, type TPrincipal } from "./identity";
import { auth } from "./options";

/** The signed-in identity from the session cookie, once per request; null when signed out (or no sign-in). */
export const currentIdentity = cache(async (): Promise<TIdentity | null> => {
  if (!authEnvStatus().ok) return null;
  const session = await auth();
  return session?.coffer ?? null;
});

/** The signed-in principal with its roles evaluated against the current configuration. */
export const currentPrincipal = cache(async (): Promise<TPrincipal | null> => {
  const identity = await currentIdentity();
  return identity ? principalOf(identity, accessEnv()) : null;
});
