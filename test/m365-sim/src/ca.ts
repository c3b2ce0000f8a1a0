import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import forge from "node-forge";

/**
 * Local PKI for the simulator. One CA per settings folder, created on first use and reused by every
 * simulator instance (and trusted by our processes through NODE_EXTRA_CA_CERTS), one cached leaf
 * certificate for 127.0.0.1/localhost signed by it, and one RSA key that signs Entra tokens.
 *
 * Many test processes may start at once on a fresh machine, so each artefact is created with an
 * exclusive hard link: the first writer wins and the others read what it wrote.
 */

export interface CaMaterial {
  caFile: string;
  caPem: string;
  caKeyPem: string;
}

export interface LeafMaterial {
  certPem: string;
  keyPem: string;
}

export interface SigningMaterial {
  keyPem: string;
  certPem: string;
  kid: string;
  /** base64url SHA-1 thumbprint of the certificate, Entra's `x5t`. */
  x5t: string;
}

export function simDir(settings: string): string {
  return path.join(settings, "sim");
}

function newRsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

function serial(): string {
  // positive, 16 bytes: certificates with a negative serial are rejected by some TLS stacks
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString("hex");
}

function makeCert(opts: {
  subjectCn: string;
  publicKeyPem: string;
  issuer?: { cert: forge.pki.Certificate; keyPem: string };
  selfKeyPem?: string;
  days: number;
  isCa: boolean;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = serial();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + opts.days * 24 * 60 * 60 * 1000);
  const subject = [
    { name: "commonName", value: opts.subjectCn },
    { name: "organizationName", value: "Coffer" },
  ];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.cert.subject.attributes : subject);
  if (opts.isCa) {
    cert.setExtensions([
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ]);
  } else {
    cert.setExtensions([
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
      { name: "subjectKeyIdentifier" },
    ]);
  }
  const signerPem = opts.issuer ? opts.issuer.keyPem : opts.selfKeyPem;
  if (!signerPem) throw new Error("makeCert: no signing key");
  cert.sign(forge.pki.privateKeyFromPem(signerPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function publicPemOf(keyPem: string): string {
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(key.n, key.e));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Runs `fn` holding a directory lock (mkdir is atomic). A lock older than 30 s belongs to a process
 * that died while generating keys, so it is broken.
 */
function withLock<T>(dir: string, fn: () => T): T {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, ".pki.lock");
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > 30_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // the holder released it between our calls
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      sleepSync(25);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Writes files with write-then-rename, in order; readers look for the last one. */
function writeAll(dir: string, files: Array<[string, string]>): void {
  for (const [name, content] of files) {
    const tmp = path.join(dir, `${name}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, path.join(dir, name));
  }
}

function readPair(dir: string, keyName: string, certName: string): [string, string] | undefined {
  const k = path.join(dir, keyName);
  const c = path.join(dir, certName);
  if (!existsSync(k) || !existsSync(c)) return undefined;
  const keyPem = readFileSync(k, "utf8");
  const certPem = readFileSync(c, "utf8");
  try {
    // Both halves must belong together (a concurrent reissue could be half done).
    if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) return undefined;
  } catch {
    return undefined;
  }
  return [keyPem, certPem];
}

function ensurePair(
  dir: string,
  keyName: string,
  certName: string,
  isUsable: (certPem: string) => boolean,
  create: () => [string, string],
): [string, string] {
  const fast = readPair(dir, keyName, certName);
  if (fast && isUsable(fast[1])) return fast;
  return withLock(dir, () => {
    const again = readPair(dir, keyName, certName);
    if (again && isUsable(again[1])) return again;
    const made = create();
    writeAll(dir, [
      [keyName, made[0]],
      [certName, made[1]],
    ]);
    return made;
  });
}

/** The simulator CA of this settings folder, created on first call. Safe to call concurrently. */
export function ensureCa(settings: string): CaMaterial {
  const dir = simDir(settings);
  const [caKeyPem, caPem] = ensurePair(
    dir,
    "ca-key.pem",
    "ca.pem",
    () => true,
    () => {
      const keyPem = newRsaKeyPem();
      const certPem = makeCert({
        subjectCn: "Coffer Microsoft 365 Simulator CA",
        publicKeyPem: publicPemOf(keyPem),
        selfKeyPem: keyPem,
        days: 3650,
        isCa: true,
      });
      return [keyPem, certPem];
    },
  );
  return { caFile: path.join(dir, "ca.pem"), caPem, caKeyPem };
}

function leafIsUsable(certPem: string, caPem: string): boolean {
  try {
    const leaf = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!leaf.verify(ca.publicKey)) return false;
    return Date.parse(leaf.validTo) - Date.now() > 30 * 24 * 60 * 60 * 1000;
  } catch {
    return false;
  }
}

/** The cached server certificate for 127.0.0.1, localhost and ::1, reissued when stale or from another CA. */
export function ensureLeaf(settings: string, ca: CaMaterial): LeafMaterial {
  const [keyPem, certPem] = ensurePair(
    simDir(settings),
    "leaf-key.pem",
    "leaf.pem",
    (cert) => leafIsUsable(cert, ca.caPem),
    () => {
      const key = newRsaKeyPem();
      const cert = makeCert({
        subjectCn: "127.0.0.1",
        publicKeyPem: publicPemOf(key),
        issuer: { cert: forge.pki.certificateFromPem(ca.caPem), keyPem: ca.caKeyPem },
        days: 397,
        isCa: false,
      });
      return [key, cert];
    },
  );
  return { keyPem, certPem };
}

/**
 * The key that signs id and access tokens. Shared by all instances of a settings folder so that
 * tokens cached by the worker survive a simulator restart (the tenant id in the token still scopes them).
 */
export function ensureSigningKey(settings: string): SigningMaterial {
  const [keyPem, certPem] = ensurePair(
    simDir(settings),
    "token-signing-key.pem",
    "token-signing-cert.pem",
    () => true,
    () => {
      const key = newRsaKeyPem();
      const cert = makeCert({
        subjectCn: "Coffer simulator token signing",
        publicKeyPem: publicPemOf(key),
        selfKeyPem: key,
        days: 3650,
        isCa: false,
      });
      return [key, cert];
    },
  );
  const der = new X509Certificate(certPem).raw;
  const x5t = createHash("sha1").update(der).digest("base64url");
  return { keyPem, certPem, kid: x5t, x5t };
}

/** For vitest configs and scripts: make sure the CA exists and return the file to put in NODE_EXTRA_CA_CERTS. */
export function ensureSimulatorCaFile(settings: string): string {
  return ensureCa(settings).caFile;
}
