import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generateLargeMailbox, generateTenant } from "./index";

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** What determinism-child.ts prints, computed here. */
function digests(seed: number, users: number, messages: number): Record<string, string> {
  const tenant = generateTenant({ seed, users, messagesPerUser: messages });
  const out: Record<string, string> = { structure: sha(JSON.stringify(tenant)) };
  for (const [upn, mailbox] of Object.entries(tenant.mailboxes)) {
    for (let i = 0; i < mailbox.messageCount; i += 7) out[`${upn}#${i}`] = sha(mailbox.message(i).mime());
  }
  out.large = sha(
    generateLargeMailbox({ seed, messages: 100_000, hugeMessageBytes: 20_000 }).mailbox.message(0).mime(),
  );
  return out;
}

describe("determinism", () => {
  it("gives identical structures and bytes for the same seed, in any order of calls", () => {
    const a = generateTenant({ seed: 42, users: 25, messagesPerUser: 60 });
    const b = generateTenant({ seed: 42, users: 25, messagesPerUser: 60 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    for (const [upn, mailbox] of Object.entries(a.mailboxes)) {
      const other = b.mailboxes[upn]!;
      const describe = (m: typeof mailbox, i: number) => {
        const message = m.message(i);
        return `${message.folderPath}|${message.receivedDateTime}|${message.isRead}|${sha(message.mime())}`;
      };
      // Backwards in one, forwards in the other: a message does not depend on what was built before
      const backwards = [...Array(mailbox.messageCount).keys()]
        .reverse()
        .map((i) => describe(mailbox, i))
        .reverse();
      const forwards = [...Array(other.messageCount).keys()].map((i) => describe(other, i));
      expect(forwards).toEqual(backwards);
    }
  }, 60_000);

  it("gives the same bytes in another process", async () => {
    const child = fileURLToPath(new URL("./determinism-child.ts", import.meta.url));
    const root = fileURLToPath(new URL("../../../..", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", child, "9", "6", "40"],
      {
        cwd: root,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const theirs = JSON.parse(stdout) as Record<string, string>;
    expect(Object.keys(theirs).length).toBeGreaterThan(20);
    expect(theirs).toEqual(digests(9, 6, 40));
  }, 60_000);

  it("gives a different tenant for a different seed", () => {
    const a = generateTenant({ seed: 1, users: 10, messagesPerUser: 20 });
    const b = generateTenant({ seed: 2, users: 10, messagesPerUser: 20 });
    expect(a.users.map((u) => u.userPrincipalName)).not.toEqual(b.users.map((u) => u.userPrincipalName));
    const upn = Object.keys(a.mailboxes)[0]!;
    const other = b.mailboxes[upn] ?? Object.values(b.mailboxes)[0]!;
    expect(sha(a.mailboxes[upn]!.message(3).mime())).not.toBe(sha(other.message(3).mime()));
  });
});
