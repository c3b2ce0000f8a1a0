import type { TIdentity } from "./identity";

// The Entra identity travels in the encrypted session cookie (options.ts: the jwt and session callbacks).
declare module "next-auth" {
  interface Session {
    coffer?: TIdentity;
  }
}
