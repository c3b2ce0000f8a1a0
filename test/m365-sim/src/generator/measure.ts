import { mailboxContextOf } from "./build-mailbox";
import { EPOCH_MS } from "./dates";
import { generateLargeMailbox, generateTenant, largeMessageStream } from "./index";
import { planMessage } from "./mail-plan";

/**
 * Prints the generator's cost and output sizes (the figures in README.md). Asserts nothing.
 *   npx tsx test/m365-sim/src/generator/measure.ts [--all]
 * --all builds every message of the default demo tenant (25 users × 500), about a minute.
 */

const all = process.argv.includes("--all");
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

let t = performance.now();
const tenant = generateTenant({ seed: 1, users: 25, messagesPerUser: 500 });
console.log(
  `generateTenant(seed 1, 25 users, 500 per user): ${(performance.now() - t).toFixed(0)} ms (first call, cold)`,
);
t = performance.now();
generateTenant({ seed: 2, users: 25, messagesPerUser: 500 });
console.log(`generateTenant again (warm): ${(performance.now() - t).toFixed(0)} ms`);

const mailboxes = Object.entries(tenant.mailboxes);
const sample = all
  ? mailboxes
  : mailboxes.filter(([, m]) => mailboxContextOf(m).kind === "regular").slice(0, 3);
const sizes: number[] = [];
const payloads = new Map<string, number>();
let recent = 0;
let buildMs = 0;
for (const [upn, mailbox] of sample) {
  const ctx = mailboxContextOf(mailbox);
  t = performance.now();
  for (let i = 0; i < mailbox.messageCount; i++) sizes.push(mailbox.message(i).mime().length);
  const ms = performance.now() - t;
  buildMs += ms;
  for (let i = 0; i < mailbox.messageCount; i++) {
    const plan = planMessage(ctx, i);
    const key = plan.type === "fixture" ? "fixture" : plan.payload;
    payloads.set(key, (payloads.get(key) ?? 0) + 1);
    if (EPOCH_MS - plan.receivedMs < 14 * 86_400_000) recent++;
  }
  console.log(`  ${upn} (${ctx.kind}): ${mailbox.messageCount} messages built in ${ms.toFixed(0)} ms`);
}
sizes.sort((a, b) => a - b);
const total = sizes.reduce((a, b) => a + b, 0);
console.log(`${sizes.length} messages: ${(buildMs / sizes.length).toFixed(2)} ms per message on average`);
console.log(
  `bytes per message: min ${sizes[0]}, p50 ${percentile(sizes, 0.5)}, p90 ${percentile(sizes, 0.9)}, p99 ${percentile(sizes, 0.99)}, max ${sizes[sizes.length - 1]}, mean ${Math.round(total / sizes.length)}; total ${mb(total)}`,
);
console.log(`received in the last 14 days: ${((100 * recent) / sizes.length).toFixed(1)} %`);
console.log(
  "payload mix:",
  [...payloads]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${((100 * n) / sizes.length).toFixed(1)}%`)
    .join(", "),
);

t = performance.now();
const large = generateLargeMailbox({ seed: 1, messages: 100_000, hugeMessageBytes: 100 * 1024 * 1024 });
console.log(`generateLargeMailbox(100,000 messages, 100 MiB huge): ${(performance.now() - t).toFixed(1)} ms`);
t = performance.now();
for (let i = 50_000; i < 50_500; i++) large.mailbox.message(i).mime();
console.log(`500 messages from the middle of it: ${(performance.now() - t).toFixed(0)} ms`);

const rss = () => process.memoryUsage().rss;
let before = rss();
t = performance.now();
let streamed = 0;
for await (const chunk of largeMessageStream({ seed: 1, hugeMessageBytes: 100 * 1024 * 1024 }))
  streamed += (chunk as Buffer).length;
console.log(
  `huge message stream(): ${mb(streamed)} in ${(performance.now() - t).toFixed(0)} ms, RSS +${mb(Math.max(0, rss() - before))}`,
);
before = rss();
t = performance.now();
const buffer = large.mailbox.message(0).mime();
console.log(
  `huge message mime(): ${mb(buffer.length)} in ${(performance.now() - t).toFixed(0)} ms, RSS +${mb(Math.max(0, rss() - before))}`,
);
