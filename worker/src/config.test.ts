import { describe, expect, it } from "vitest";
import { checkSection, redactUrl, SettingsError, workerConfig } from "./config";

const keyBytes = Buffer.alloc(32, 0xab);
const key = keyBytes.toString("base64");
const complete = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:55432/coffer",
  REDIS_URL: "redis://127.0.0.1:56379",
  M365_AUTHORITY: "https://login.microsoftonline.com/contoso-tenant/",
  M365_TENANT_ID: "contoso-tenant",
  M365_CLIENT_ID: "client",
  M365_CLIENT_SECRET: "secret",
  COFFER_ENCRYPTION_KEY: key,
  COFFER_BLOB_DIR: "/var/lib/coffer/blobs",
};

describe("worker settings", () => {
  it("accepts a complete environment and fills the production defaults", () => {
    const c = workerConfig(complete);
    expect(c.m365.M365_AUTHORITY).toBe("https://login.microsoftonline.com/contoso-tenant");
    expect(c.m365.M365_GRAPH_URL).toBe("https://graph.microsoft.com");
    expect(c.m365.M365_EXCHANGE_URL).toBe("https://outlook.office365.com");
    expect(c.m365.M365_CA_FILE).toBeUndefined();
    expect(c.storage.keys).toHaveLength(1);
    expect(c.storage.keySource).toBe("COFFER_ENCRYPTION_KEY");
    expect(c.storage.blobDir).toBe("/var/lib/coffer/blobs");
    expect(c.site.COFFER_SITE).toBe("default");
  });

  it("reports every problem at once, each as a sentence naming the setting", () => {
    let error: unknown;
    try {
      workerConfig({ REDIS_URL: "http://127.0.0.1:6379", DATABASE_URL: "", M365_CA_FILE: "/nowhere/ca.pem" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems;
    expect(problems).toContain(
      "DATABASE_URL is not set: run `npm run stack`, or set it to your PostgreSQL URL (postgres://user:password@host:5432/coffer)",
    );
    expect(problems).toContain(
      'REDIS_URL must be a redis:// or rediss:// URL, but it is "http://127.0.0.1:6379"',
    );
    expect(problems).toContain("M365_CA_FILE points to /nowhere/ca.pem, which does not exist");
    expect(problems.some((p) => p.startsWith("M365_CLIENT_SECRET is not set:"))).toBe(true);
    expect(problems.some((p) => p.includes("no encryption key for the archive is configured"))).toBe(true);
    expect((error as Error).message).not.toMatch(/invalid_type|ZodError|\[\{/);
  });

  it("never echoes a password from a malformed URL", () => {
    const r = checkSection("redis", { REDIS_URL: "http://user:hunter2@cache:6379" });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain("hunter2");
    expect(redactUrl("postgres://u:hunter2@db/coffer")).toBe("postgres://u:***@db/coffer");
  });

  it("reports an unreadable key file and a key of the wrong length as sentences", () => {
    const missing = checkSection("storage", { COFFER_ENCRYPTION_KEY_FILE: "/nowhere/key" });
    expect(missing.ok).toBe(false);
    expect(!missing.ok && missing.problems[0]).toMatch(/^cannot read the encryption key file \/nowhere\/key/);
    const short = checkSection("storage", { COFFER_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") });
    expect(!short.ok && short.problems[0]).toContain("must hold 32 bytes");
  });
});
