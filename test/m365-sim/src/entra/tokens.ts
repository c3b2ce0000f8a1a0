import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from "node:crypto";
import type { SigningMaterial } from "../ca";

/** RS256 JWTs signed with the simulator's key, and their verification (with a small cache). */

export type Claims = Record<string, unknown> & {
  aud?: string;
  iss?: string;
  exp?: number;
  nbf?: number;
  iat?: number;
  tid?: string;
  oid?: string;
  sub?: string;
};

export class TokenSigner {
  private readonly priv: KeyObject;
  private readonly pub: KeyObject;
  private readonly header: string;
  private readonly cache = new Map<string, Claims>();

  constructor(readonly key: SigningMaterial) {
    this.priv = createPrivateKey(key.keyPem);
    this.pub = createPublicKey(this.priv);
    this.header = Buffer.from(
      JSON.stringify({ typ: "JWT", alg: "RS256", kid: key.kid, x5t: key.x5t }),
    ).toString("base64url");
  }

  sign(claims: Claims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const input = `${this.header}.${payload}`;
    const sig = sign("RSA-SHA256", Buffer.from(input), this.priv).toString("base64url");
    return `${input}.${sig}`;
  }

  /** Returns the claims of a well-formed token with a valid signature, else a reason string. */
  verify(token: string): Claims | string {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const parts = token.split(".");
    if (parts.length !== 3) return "IDX14100: JWT is not well formed, there are no dots (.).";
    const [h, p, s] = parts as [string, string, string];
    let claims: Claims;
    try {
      const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as { alg?: string };
      if (header.alg !== "RS256") return "IDX10511: Signature validation failed.";
      claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Claims;
    } catch {
      return "IDX14102: Unable to decode the header or payload as Base64Url encoded.";
    }
    if (!verify("RSA-SHA256", Buffer.from(`${h}.${p}`), this.pub, Buffer.from(s, "base64url"))) {
      return "IDX10511: Signature validation failed.";
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, claims);
    return claims;
  }

  jwks(): { keys: unknown[] } {
    const jwk = this.pub.export({ format: "jwk" }) as { n: string; e: string };
    const der = new X509Certificate(this.key.certPem).raw.toString("base64");
    return {
      keys: [
        {
          kty: "RSA",
          use: "sig",
          kid: this.key.kid,
          x5t: this.key.x5t,
          n: jwk.n,
          e: jwk.e,
          x5c: [der],
          cloud_instance_name: "microsoftonline.com",
          issuer: "",
        },
      ],
    };
  }
}

export function opaqueId(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}

export const nowSec = (): number => Math.floor(Date.now() / 1000);
