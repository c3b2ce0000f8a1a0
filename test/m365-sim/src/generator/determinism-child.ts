import { createHash } from "node:crypto";
import { generateLargeMailbox, generateTenant } from "./index";

/**
 * Run by determinism.test.ts in a separate Node process: prints digests of a tenant's structure
 * and of some messages, which must equal the ones computed in the test's own process.
 */
const [seed, users, messages] = process.argv.slice(2).map(Number) as [number, number, number];
const tenant = generateTenant({ seed, users, messagesPerUser: messages });
const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const out: Record<string, string> = { structure: sha(JSON.stringify(tenant)) };
for (const [upn, mailbox] of Object.entries(tenant.mailboxes)) {
  for (let i = 0; i < mailbox.messageCount; i += 7) out[`${upn}#${i}`] = sha(mailbox.message(i).mime());
}
out.large = sha(
  generateLargeMailbox({ seed, messages: 100_000, hugeMessageBytes: 20_000 }).mailbox.message(0).mime(),
);
process.stdout.write(JSON.stringify(out));
