import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mailboxContextOf } from "./build-mailbox";
import { defaultFixturesDir, loadFixtures } from "./fixtures";
import { generateTenant } from "./index";
import { planMessage } from "./mail-plan";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const fixturesDir = defaultFixturesDir();

describe.skipIf(fixturesDir === null)("public MIME fixtures", () => {
  const index = loadFixtures(fixturesDir)!;
  const expected = new Map(index.fixtures.map((f) => [f.path, f.sha256]));

  it("are mixed into every mailbox byte-exact, a handful each", () => {
    const tenant = generateTenant({ seed: 5, users: 10, messagesPerUser: 500 });
    const used = new Set<string>();
    for (const [upn, mailbox] of Object.entries(tenant.mailboxes)) {
      const ctx = mailboxContextOf(mailbox);
      const isResource = ctx.kind === "room" || ctx.kind === "equipment";
      let count = 0;
      for (let i = 0; i < mailbox.messageCount; i++) {
        const plan = planMessage(ctx, i);
        if (plan.type !== "fixture") continue;
        count++;
        used.add(plan.fixture.path);
        const message = mailbox.message(i);
        expect(sha256(message.mime()), plan.fixture.path).toBe(expected.get(plan.fixture.path));
        expect(mailbox.folders).toContain(message.folderPath);
      }
      expect(count, upn).toBe(isResource ? 0 : 5);
    }
    // Different mailboxes get different fixtures
    expect(used.size).toBeGreaterThan(15);
  });

  it("leave the message count unchanged when the fixture folder is absent", () => {
    const withFixtures = generateTenant({ seed: 5, users: 4, messagesPerUser: 200 });
    const without = generateTenant({ seed: 5, users: 4, messagesPerUser: 200, fixturesDir: null });
    for (const [upn, mailbox] of Object.entries(without.mailboxes)) {
      expect(mailbox.messageCount).toBe(withFixtures.mailboxes[upn]!.messageCount);
      const ctx = mailboxContextOf(mailbox);
      for (let i = 0; i < mailbox.messageCount; i++) expect(planMessage(ctx, i).type).toBe("composed");
    }
  });

  it("stream the same bytes as mime()", async () => {
    const tenant = generateTenant({ seed: 5, users: 1, messagesPerUser: 500 });
    const mailbox = Object.values(tenant.mailboxes)[0]!;
    const ctx = mailboxContextOf(mailbox);
    const index = [...Array(mailbox.messageCount).keys()].find(
      (i) => planMessage(ctx, i).type === "fixture",
    )!;
    const chunks: Buffer[] = [];
    for await (const chunk of mailbox.message(index).stream!()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(mailbox.message(index).mime())).toBe(true);
  });
});
