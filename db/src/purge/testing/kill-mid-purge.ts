import { FsBlobBackend } from "../../blobs/fs-backend";
import { createDb } from "../../client";
import { purgeExpired } from "../purge";

/**
 * For purge.integration.test.ts: runs an applied purge and kills its own process (SIGKILL, no cleanup of
 * any kind, like a power cut or an OOM kill) at a chosen step, so the test can check that the next run
 * resumes. Arguments: <database url> <blob dir> <history:N | aside:N> <batch size>.
 */
const [url, blobDir, killAt, batch] = process.argv.slice(2);
if (!url || !blobDir || !killAt || !batch)
  throw new Error("usage: kill-mid-purge <db url> <blob dir> <step:N> <batch>");
const [phase, nth] = killAt.split(":");
const n = Number(nth);
let history = 0;
let aside = 0;
const die = () => process.kill(process.pid, "SIGKILL");

const db = createDb(url, 3);
await purgeExpired(db, new FsBlobBackend(blobDir), {
  dryRun: false,
  batchSize: Number(batch),
  requestedBy: "kill-mid-purge",
  onStep: (step) => {
    if (phase === "history" && step.phase === "history" && ++history === n) die();
  },
  reaperHooks: {
    afterMoveAside: () => {
      if (phase === "aside" && ++aside === n) die();
    },
  },
});
await db.destroy();
// Reaching this line means the kill step never came: the test sees exit code 3 instead of SIGKILL.
process.exit(3);
