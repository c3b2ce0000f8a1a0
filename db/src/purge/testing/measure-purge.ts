import { sql } from "kysely";
import { applyPolicyChange, previewPolicyChange } from "../../retention/policy-change";
import { ageObjects, seedContent, seedMailbox, tempBlobStore } from "../../retention/testing/seed-archive";
import { createTestDatabase } from "../../testing/test-database";
import { purgeExpired } from "../purge";

/**
 * Figures for the purge (prints, asserts nothing): a throwaway database with `mailboxes` × `perMailbox`
 * mail versions over `contents` distinct stored contents (each shared by several mailboxes), half of it
 * older than a 30-day rule, one mailbox on legal hold. Times the preview, the dry run and the applied run.
 *
 *   npx tsx db/src/purge/testing/measure-purge.ts [mailboxes=20] [perMailbox=2000] [contents=4000]
 */
const [mailboxes = 20, perMailbox = 2000, contents = 4000] = process.argv.slice(2).map(Number);
const t = await createTestDatabase("coffer_measure");
const s = tempBlobStore();
try {
  const shas: string[] = [];
  for (let i = 0; i < contents; i++)
    shas.push((await seedContent(t.db, s.store, `content ${i} ${"x".repeat(2000)}`)).sha256);
  await ageObjects(s, 2 * 3_600_000);
  const ids: string[] = [];
  for (let m = 0; m < mailboxes; m++) ids.push((await seedMailbox(t.db, `m${m}@contoso.example`)).id);
  // Version k of mailbox m: received (k % 60) days ago, content ((k % 60) * 67 + m) % contents (shared by the mailboxes, by age); every 5th one deleted.
  await sql`
    INSERT INTO item_versions (mailbox_id, data_type, graph_id, folder_graph_id, sha256, size, received_at, valid_from, valid_to)
    SELECT mb.id, 'mail', 'g' || k, 'inbox', (${shas}::text[])[1 + ((k % 60) * 67 + mb.n) % ${contents}], 2000,
      now() - ((k % 60) || ' days')::interval, now() - ((k % 60) || ' days')::interval,
      CASE WHEN k % 5 = 0 THEN now() - ((k % 60) / 2 || ' days')::interval END
    FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS mb(id, n), generate_series(1, ${perMailbox}) AS k`.execute(
    t.db,
  );
  await sql`INSERT INTO legal_holds (mailbox_id, reason, created_by) VALUES (${ids[0]}, 'measure', 'measure')`.execute(
    t.db,
  );
  await sql`ANALYZE`.execute(t.db);
  const total = mailboxes * perMailbox;
  console.log(
    `archive: ${mailboxes} mailboxes × ${perMailbox} versions = ${total} versions, ${contents} contents`,
  );

  const input = { rules: [{ dataType: "mail", retentionDays: 30 }] };
  let t0 = performance.now();
  const preview = await previewPolicyChange(t.db, input);
  console.log(
    `preview: ${Math.round(performance.now() - t0)} ms, to delete ${JSON.stringify(preview.totals.toDelete)}`,
  );
  await applyPolicyChange(t.db, input, { confirmed: true, actor: { upn: "measure" } });

  t0 = performance.now();
  const dry = await purgeExpired(t.db, s.backend, { dryRun: true });
  console.log(
    `dry run: ${Math.round(performance.now() - t0)} ms, ${dry.history.versions} versions, ${dry.blobs.rows} contents`,
  );
  t0 = performance.now();
  const phases = new Map<string, number>();
  let last = performance.now();
  let lastPhase = "history";
  const r = await purgeExpired(t.db, s.backend, {
    dryRun: false,
    onStep: (step) => {
      const now = performance.now();
      phases.set(lastPhase, (phases.get(lastPhase) ?? 0) + (now - last));
      last = now;
      lastPhase = step.phase;
    },
  });
  phases.set(`${lastPhase}+sweep`, performance.now() - last);
  const ms = performance.now() - t0;
  console.log(
    `applied: ${Math.round(ms)} ms, ${r.history.versions} versions (${Math.round(r.history.versions / (ms / 1000))}/s overall), ` +
      `${r.blobs.rows} contents, ${r.objects.removed} objects, ${r.batches} batches, held kept ${r.held.versions}`,
  );
  console.log(`  by phase (ms): ${[...phases].map(([k, v]) => `${k} ${Math.round(v)}`).join(", ")}`);
} finally {
  s.remove();
  await t.drop();
}
