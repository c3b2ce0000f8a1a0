import { userInfo } from "node:os";
import type { TaskType } from "@coffer/db/schema";
import { z } from "zod";
import { CliError, type CommandIo, defineCommand } from "./command";

/**
 * `coffer tasks list|show|run-now|logs`: the Exchange Tasks of seed 004 from the command line, through
 * the same API as the admin console (worker/src/tasks/index.ts). `<task>` is a task's id or its name.
 */

const ACTIONS = ["list", "show", "run-now", "logs"] as const;

const dt = (d: Date | null | undefined) => (d ? d.toISOString().replace(".000Z", "Z") : "-");
const light = (r: string | null) =>
  r === "success" ? "OK  " : r === "warning" ? "WARN" : r === "error" ? "ERR " : "-   ";

export const tasks = defineCommand({
  name: "tasks",
  summary: "list Exchange Tasks, show one, run one now, or read its logs",
  description:
    "coffer tasks list [--type <type>]      every task with its status and last result\n" +
    "coffer tasks show <task>                one task: options and information (status, command, latest detail, sequence)\n" +
    "coffer tasks run-now <task> [--wait]    start a run now on the task's site (a worker of that site must run);\n" +
    "                                        --wait waits for it and prints its result (exit 1 unless success)\n" +
    "coffer tasks logs <task> [--run <id>]   the task's summary logs, or one run's detail (per mailbox and log lines)\n" +
    "<task> is the task's id or its name.",
  configure: (cmd) =>
    cmd
      .argument("<action>", `one of: ${ACTIONS.join(", ")}`)
      .argument("[task]", "the task's id or name")
      .option("--type <type>", "list: only tasks of this type (folder_replication, permissions_sync, …)")
      .option("--run <runId>", "logs: the detail of this run")
      .option("--limit <n>", "logs: how many runs to list", "20")
      .option("--wait", "run-now: wait for the run to finish and print its result")
      .option("--timeout <seconds>", "run-now --wait: give up waiting after this long", "3600"),
  options: z.object({
    type: z
      .enum(
        [
          "folder_replication",
          "calendar_replication",
          "storage_management",
          "managed_folders",
          "permissions_sync",
        ],
        {
          error:
            "--type must be folder_replication, calendar_replication, storage_management, managed_folders or permissions_sync",
        },
      )
      .optional(),
    run: z.string().optional(),
    limit: z.coerce.number({ error: "--limit must be a number" }).int().min(1).max(500),
    wait: z.boolean().optional(),
    timeout: z.coerce.number({ error: "--timeout must be a number of seconds" }).int().min(1),
  }),
  async run({ args, options, io }) {
    const action = String(args[0]);
    const taskArg = typeof args[1] === "string" ? args[1] : undefined;
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new CliError(`unknown action "${action}": use ${ACTIONS.join(", ")}`, 2);
    }
    if (action !== "list" && !taskArg)
      throw new CliError(`say which task: \`coffer tasks ${action} <id or name>\``, 2);
    const api = await import("../tasks/index");
    const ctx = api.createTasksContext();
    try {
      switch (action) {
        case "list":
          return await list(api, ctx, io, options.type);
        case "show":
          return await show(api, ctx, io, taskArg!);
        case "run-now":
          return await runNow(api, ctx, io, taskArg!, !!options.wait, options.timeout);
        default:
          return await logs(api, ctx, io, taskArg!, options.run, options.limit);
      }
    } catch (e) {
      if (api.isExpectedTaskError(e)) throw new CliError(e.message);
      throw e;
    } finally {
      await ctx.close();
    }
  },
});

type Api = typeof import("../tasks/index");
type Ctx = ReturnType<Api["createTasksContext"]>;

async function list(api: Api, ctx: Ctx, io: CommandIo, type: TaskType | undefined) {
  const rows = await api.listTasks(ctx, type ? { type } : {});
  if (rows.length === 0) io.say("No Exchange Tasks.");
  for (const t of rows) {
    io.say(
      `${light(t.lastResult)} ${t.status.padEnd(9)} ${t.name}  [${t.typeLabel}${t.isTypeAvailable ? "" : ", unavailable"}]  ` +
        `${t.target.description}; ${t.schedule.name}; site ${t.site.name}; last run ${dt(t.lastRunAt)}; next ${dt(t.nextRunAt)}  (${t.id})`,
    );
  }
  return { json: { tasks: rows } };
}

async function show(api: Api, ctx: Ctx, io: CommandIo, idOrName: string) {
  const t = await api.getTask(ctx, idOrName);
  const lines: Array<[string, string]> = [
    ["Task", `${t.name} (${t.id})`],
    ["Type", `${t.typeLabel}${t.isTypeAvailable ? "" : " (not available in this version)"}`],
    ["Site", `${t.siteDetail.name}${t.siteDetail.isOnline ? "" : " (no worker heartbeat)"}`],
    ["Schedule", `${t.scheduleDetail.name}: ${t.scheduleDetail.description}`],
    ["Definition", `${t.definitionDetail.name} (version ${t.definitionDetail.version})`],
    ["Target", t.target.description],
    ["Created", `${dt(t.createdAt)} by ${t.createdBy}`],
    ["Last Modified", `${dt(t.updatedAt)} by ${t.updatedBy}`],
    ["Status", t.status],
    ["Command", t.command ?? "-"],
    ["Latest Detail", t.latestDetail ?? "-"],
    ["Sequence", t.sequence === null ? "-" : String(t.sequence)],
    ["Last Result", t.lastResult ? `${t.lastResult}: ${t.lastResultMessage ?? ""}` : "-"],
    ["Last Run", dt(t.lastRunAt)],
    ["Next Run", dt(t.nextRunAt)],
  ];
  for (const [k, v] of lines) io.say(`${k.padEnd(14)} ${v}`);
  return { json: t };
}

async function runNow(
  api: Api,
  ctx: Ctx,
  io: CommandIo,
  idOrName: string,
  wait: boolean,
  timeoutSeconds: number,
) {
  const actor = `cli:${userInfo().username}`;
  const r = await api.runTaskNow(ctx, idOrName, actor, { wait, timeoutMs: timeoutSeconds * 1000 });
  if (!r.outcome) {
    io.say(
      `Run of task ${r.taskId} queued (job ${r.jobId}). Follow it with \`coffer tasks show ${r.taskId}\`.`,
    );
    if (!r.isSiteOnline)
      io.warn("No worker of the task's site is running: the run starts when one does (`coffer worker`).");
    return { json: r };
  }
  const o = r.outcome;
  if (o.kind === "skipped") {
    io.say(`No run started: ${o.message}.`);
    return { json: r, exitCode: 1 };
  }
  io.say(`${o.result.toUpperCase()}: ${o.message}`);
  io.say(`Detail: \`coffer tasks logs ${r.taskId} --run ${o.runId}\``);
  return { json: r, exitCode: o.result === "success" ? 0 : 1 };
}

async function logs(
  api: Api,
  ctx: Ctx,
  io: CommandIo,
  idOrName: string,
  runId: string | undefined,
  limit: number,
) {
  if (!runId) {
    const runs = await api.listTaskRuns(ctx, idOrName, { limit });
    if (runs.length === 0) io.say("The task has not run yet.");
    for (const r of runs) {
      io.say(
        `${dt(r.startedAt)}  ${r.status.padEnd(7)} ${String(r.durationSeconds).padStart(7)} s  ` +
          `${r.mailboxesDone}/${r.mailboxesTotal} mailboxes  ${r.message ?? ""}  (run ${r.id})`,
      );
    }
    return { json: { runs } };
  }
  const taskId = await api.resolveTaskId(ctx, idOrName);
  const d = await api.getTaskRun(ctx, runId);
  if (d.run.taskId !== taskId) throw new CliError(`run ${runId} is not a run of that task`);
  io.say(
    `Run ${d.run.id} (${d.run.trigger}) ${dt(d.run.startedAt)} → ${dt(d.run.finishedAt)}: ${d.run.status}`,
  );
  io.say(`  ${d.run.message ?? ""}`);
  io.say("Mailboxes:");
  for (const m of d.mailboxes) {
    io.say(
      `  ${m.status.padEnd(8)} ${m.upn}  +${m.itemsAdded} ~${m.itemsChanged} -${m.itemsRemoved}` +
        `${m.skips.length ? ` skips ${m.skips.length}` : ""}${m.durationSeconds !== null ? ` ${m.durationSeconds} s` : ""}  ${m.message ?? ""}`,
    );
    for (const s of m.skips.slice(0, 10))
      io.say(`           skipped ${s.graphId}: ${s.reason}${s.detail ? ` (${s.detail})` : ""}`);
  }
  io.say("Log:");
  for (const l of d.logs) io.say(`  ${dt(l.at)} ${l.level.padEnd(7)} ${l.message}`);
  return { json: d };
}
