import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateLargeMailbox, generateTenant } from "../generator/index";
import type { GenMessage, MailboxSpec } from "../tenant-source";
import { BlobStore } from "./blobs";
import { ComposedCache } from "./composed-cache";
import { Mailbox, type MsgRec, metaFromPlan } from "./mailbox";
import { readHeaderMeta } from "./mime";

/** The part of a mailbox spec these tests use (the generator's own type is wider in its PIM fields). */
type Messages = Pick<MailboxSpec, "folders" | "messageCount" | "message">;

/**
 * Generated messages answer Graph's header fields from the generator's plan and compose their MIME
 * only for `$value`, sha256 and size — once per message. These tests hold the cheap answers to what
 * parsing the MIME says, and count compositions.
 */

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function parsedMeta(bytes: Buffer) {
  const { headers: _, ...meta } = readHeaderMeta(bytes);
  return meta;
}

function checkAll(mailbox: Messages, indices: Iterable<number>): number {
  let planned = 0;
  for (const i of indices) {
    const gm = mailbox.message(i);
    const plan = gm.meta?.();
    if (!plan) continue; // a public fixture: parsed from its bytes, as before
    planned++;
    expect(metaFromPlan(plan), `message ${i}`).toEqual(parsedMeta(gm.mime()));
  }
  return planned;
}

/** A mailbox over a generated spec that counts how often MIME is composed. */
function countingMailbox(spec: Messages, cache?: ComposedCache) {
  const composed = { count: 0 };
  const counting: MailboxSpec = {
    folders: spec.folders,
    messageCount: spec.messageCount,
    message(i: number): GenMessage {
      const gm = spec.message(i);
      return {
        ...gm,
        mime: () => {
          composed.count++;
          return gm.mime();
        },
        content: () => {
          composed.count++;
          return gm.content!();
        },
      };
    },
  };
  const mbx = new Mailbox("6f9619ff-8b86-d011-b42d-00c04fc964ff", {
    blobs: new BlobStore(),
    large: () => counting,
    ...(cache ? { composed: cache } : {}),
  });
  mbx.initWellKnown();
  const messages: MsgRec[] = [];
  for (let i = 0; i < spec.messageCount; i++) {
    const gm = spec.message(i);
    const folder = mbx.ensurePath(gm.folderPath);
    const received = new Date(gm.receivedDateTime).toISOString();
    messages.push(
      mbx.addMessage({
        folderId: folder.id,
        src: { k: "large", i },
        created: received,
        modified: received,
        received,
        isRead: gm.isRead,
        isDraft: false,
      }),
    );
  }
  return { mbx, messages, composed };
}

async function read(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe("generated messages in the simulator", () => {
  it("give the same header metadata from the plan as from parsing their MIME (a whole tenant)", () => {
    const tenant = generateTenant({ seed: 3, users: 10, messagesPerUser: 250 });
    let planned = 0;
    for (const mailbox of Object.values(tenant.mailboxes))
      planned += checkAll(mailbox, Array(mailbox.messageCount).keys());
    expect(planned).toBeGreaterThan(2000);
  }, 120_000);

  it("give the same header metadata from the plan as from parsing their MIME (the large mailbox)", () => {
    const { mailbox } = generateLargeMailbox({ seed: 1, messages: 100_000, hugeMessageBytes: 50_000 });
    const tail = Array.from({ length: 100 }, (_, k) => 99_900 + k);
    const planned = checkAll(mailbox, [...Array(1500).keys(), ...tail]);
    expect(planned).toBeGreaterThan(1500);
  }, 120_000);

  it("compose once for $value and remember sha256 and size", async () => {
    const { mailbox: spec } = generateLargeMailbox({ seed: 5, messages: 40, hugeMessageBytes: 300_000 });
    const { mbx, messages, composed } = countingMailbox(spec);
    // Header fields: no composition, except reading each public fixture's bytes once
    const fixtures = messages.filter((m) => !spec.message((m.src as { i: number }).i).meta!()).length;
    for (const m of messages) mbx.meta(m);
    for (const m of messages) mbx.meta(m);
    expect(composed.count).toBe(fixtures);

    for (const m of messages.slice(0, 20)) {
      const expected = spec.message((m.src as { i: number }).i).mime();
      const before = composed.count;
      const content = mbx.openContent(m);
      expect(content.size).toBe(expected.length);
      expect((await read(content.open())).equals(expected)).toBe(true);
      // The download recorded the digest: no second composition for it
      expect(mbx.digest(m)).toMatchObject({ sha256: sha(expected), size: expected.length });
      expect(composed.count - before).toBe(1);
    }
    // Without a download first: one composition, then remembered
    for (const m of messages.slice(20)) {
      const expected = spec.message((m.src as { i: number }).i).mime();
      const before = composed.count;
      expect(mbx.digest(m).sha256).toBe(sha(expected));
      expect(mbx.digest(m).size).toBe(expected.length);
      expect(composed.count - before).toBe(1);
    }
  });

  it("with a composed cache: one composition for the state's sha256 and every later download", async () => {
    const { mailbox: spec } = generateLargeMailbox({ seed: 7, messages: 30, hugeMessageBytes: 3_000_000 });
    // Entries up to 2 MiB: the huge message streams, every other one is kept
    const cache = new ComposedCache(32 * 1024 * 1024);
    const { mbx, messages, composed } = countingMailbox(spec, cache);
    const expected = messages.map((m) => spec.message((m.src as { i: number }).i).mime());
    const before = composed.count;
    for (const m of messages) mbx.digest(m);
    expect(composed.count - before).toBe(messages.length);
    // The header facts planned while composing are kept with the bytes (delta pages plan nothing again)
    for (const m of messages) {
      const planned = spec.message((m.src as { i: number }).i).meta!();
      if (!planned) continue;
      expect(mbx.meta(m)).toEqual(metaFromPlan(planned));
      if (m.src !== messages[0]?.src) expect(mbx.meta(m)).toBe(mbx.meta(m));
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const [k, m] of messages.entries()) {
        const content = mbx.openContent(m);
        expect(content.size).toBe(expected[k]?.length);
        expect((await read(content.open())).equals(expected[k] as Buffer), `message ${k}`).toBe(true);
      }
    }
    // Only the huge message (over the entry limit) is composed again, once for each download
    expect(composed.count - before).toBe(messages.length + 2);
    expect(cache.bytes).toBeLessThan(1024 * 1024);

    // New MIME for a message: its kept bytes are not served again
    const m = messages[4]!;
    const uploaded = Buffer.from("Subject: replaced\r\nMessage-ID: <x@y>\r\n\r\nhello\r\n");
    m.src = { k: "blob", sha: mbx.sources.blobs.put(uploaded) };
    mbx.dropMeta(m);
    expect(mbx.openContent(m).bytes?.equals(uploaded)).toBe(true);
    expect(mbx.digest(m).sha256).toBe(sha(uploaded));
  });

  it("does not remember a digest from an aborted download", async () => {
    const { mailbox: spec } = generateLargeMailbox({ seed: 5, messages: 3, hugeMessageBytes: 3_000_000 });
    const { mbx, messages, composed } = countingMailbox(spec);
    const huge = messages[0]!;
    const stream = mbx.openContent(huge).open();
    for await (const _ of stream) break; // destroys the stream after the first chunk
    const before = composed.count;
    expect(mbx.digest(huge).size).toBe(3_000_000);
    expect(composed.count - before).toBe(1);
  });

  it("reads header lines and forgets derived data when the MIME changes", async () => {
    const { mailbox: spec } = generateLargeMailbox({ seed: 6, messages: 12, hugeMessageBytes: 200_000 });
    const { mbx, messages } = countingMailbox(spec);
    for (const m of messages) {
      const bytes = spec.message((m.src as { i: number }).i).mime();
      expect(mbx.headerLines(m)).toEqual(readHeaderMeta(bytes).headers);
    }
    const m = messages[3]!;
    const before = mbx.digest(m);
    const uploaded = Buffer.from("Subject: replaced\r\nMessage-ID: <x@y>\r\n\r\nhello\r\n");
    m.src = { k: "blob", sha: mbx.sources.blobs.put(uploaded) };
    mbx.dropMeta(m);
    expect(mbx.digest(m)).toMatchObject({ sha256: sha(uploaded), size: uploaded.length });
    expect(mbx.digest(m).sha256).not.toBe(before.sha256);
    expect(mbx.meta(m).subject).toBe("replaced");
    expect((await read(mbx.openMime(m))).equals(uploaded)).toBe(true);
  });
});
