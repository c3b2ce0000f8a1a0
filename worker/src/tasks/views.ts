import type {
  DefinitionRow,
  DefinitionVersionRow,
  RunMailboxStatus,
  RunResult,
  RunStatus,
  RunTrigger,
  ScheduleRow,
  SiteRow,
  TaskRunLogRow,
  TaskRunMailboxRow,
  TaskRunRow,
  TaskStatus,
  TaskTargetKind,
  TaskType,
  TRunSkip,
} from "@coffer/db/schema";
import type { TaskWithNames } from "@coffer/db/tasks/tasks";
import { describeSchedule } from "./schedule-rules";
import { describeTarget, type TTaskTarget, targetOfRow } from "./target-rules";
import { TASK_TYPE_INFO } from "./task-types";

/**
 * What the Exchange Tasks API returns: plain objects (Dates as Date), shaped for the console and the
 * CLI's JSON, never database rows.
 */

/** A site is online when its worker heartbeated within this (three missed 30 s heartbeats). */
export const SITE_ONLINE_WITHIN_MS = 90_000;

export type TSiteView = {
  id: string;
  name: string;
  description: string;
  lastHeartbeatAt: Date | null;
  version: string | null;
  hostname: string | null;
  isOnline: boolean;
  createdAt: Date;
};

export function siteView(s: SiteRow, now = Date.now()): TSiteView {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    lastHeartbeatAt: s.last_heartbeat_at,
    version: s.version,
    hostname: s.hostname,
    isOnline: !!s.last_heartbeat_at && now - s.last_heartbeat_at.getTime() < SITE_ONLINE_WITHIN_MS,
    createdAt: s.created_at,
  };
}

export type TScheduleView = {
  id: string;
  name: string;
  kind: "cron" | "interval";
  cron: string | null;
  intervalMinutes: number | null;
  timeZone: string;
  window: { start: string; end: string } | null;
  /** "Every 4 hours", "Cron 0 2 * * * (Europe/London), between 22:00 and 06:00". */
  description: string;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
};

export function scheduleView(s: ScheduleRow): TScheduleView {
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    cron: s.cron,
    intervalMinutes: s.interval_minutes,
    timeZone: s.time_zone,
    window:
      s.window_start && s.window_end
        ? { start: s.window_start.slice(0, 5), end: s.window_end.slice(0, 5) }
        : null,
    description: describeSchedule(s),
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    updatedBy: s.updated_by,
  };
}

export type TDefinitionView = {
  id: string;
  type: TaskType;
  typeLabel: string;
  isTypeAvailable: boolean;
  name: string;
  version: number;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
};

export function definitionView(d: DefinitionRow): TDefinitionView {
  const info = TASK_TYPE_INFO[d.type];
  return {
    id: d.id,
    type: d.type,
    typeLabel: info.label,
    isTypeAvailable: info.isAvailable,
    name: d.name,
    version: d.version,
    settings: d.settings,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
    updatedBy: d.updated_by,
  };
}

export type TDefinitionVersionView = {
  version: number;
  settings: Record<string, unknown>;
  createdAt: Date;
  createdBy: string | null;
};

export function definitionVersionView(v: DefinitionVersionRow): TDefinitionVersionView {
  return { version: v.version, settings: v.settings, createdAt: v.created_at, createdBy: v.created_by };
}

export type TRunSummary = {
  id: string;
  taskId: string;
  trigger: RunTrigger;
  status: RunStatus;
  message: string | null;
  workerId: string | null;
  definitionVersion: number | null;
  mailboxesTotal: number;
  mailboxesDone: number;
  itemsAdded: number;
  itemsChanged: number;
  itemsRemoved: number;
  errors: number;
  skips: number;
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
  /** Until now for a running run. */
  durationSeconds: number;
};

export function runSummary(r: TaskRunRow, now = Date.now()): TRunSummary {
  const end = r.finished_at?.getTime() ?? now;
  return {
    id: r.id,
    taskId: r.task_id,
    trigger: r.trigger,
    status: r.status,
    message: r.message,
    workerId: r.worker_id,
    definitionVersion: r.definition_version,
    mailboxesTotal: r.mailboxes_total,
    mailboxesDone: r.mailboxes_done,
    itemsAdded: r.items_added,
    itemsChanged: r.items_changed,
    itemsRemoved: r.items_removed,
    errors: r.errors,
    skips: r.skips,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    finishedAt: r.finished_at,
    durationSeconds: Math.max(0, Math.round((end - r.started_at.getTime()) / 100) / 10),
  };
}

export type TRunMailboxView = {
  id: number;
  mailboxId: string | null;
  upn: string;
  status: RunMailboxStatus;
  message: string | null;
  itemsAdded: number;
  itemsChanged: number;
  itemsRemoved: number;
  errors: number;
  skips: TRunSkip[];
  requests: number;
  throttled: number;
  startedAt: Date;
  finishedAt: Date | null;
  durationSeconds: number | null;
};

export function runMailboxView(m: TaskRunMailboxRow): TRunMailboxView {
  return {
    id: m.id,
    mailboxId: m.mailbox_id,
    upn: m.upn,
    status: m.status,
    message: m.message,
    itemsAdded: m.items_added,
    itemsChanged: m.items_changed,
    itemsRemoved: m.items_removed,
    errors: m.errors,
    skips: m.skips,
    requests: m.requests,
    throttled: m.throttled,
    startedAt: m.started_at,
    finishedAt: m.finished_at,
    durationSeconds: m.finished_at
      ? Math.round((m.finished_at.getTime() - m.started_at.getTime()) / 100) / 10
      : null,
  };
}

export type TRunLogLine = {
  id: number;
  at: Date;
  level: "info" | "warning" | "error";
  mailboxUpn: string | null;
  message: string;
};

export function runLogLine(l: TaskRunLogRow): TRunLogLine {
  return { id: l.id, at: l.at, level: l.level, mailboxUpn: l.mailbox_upn, message: l.message };
}

export type TTaskView = {
  id: string;
  name: string;
  type: TaskType;
  typeLabel: string;
  isTypeAvailable: boolean;
  site: { id: string; name: string };
  schedule: { id: string; name: string };
  definition: { id: string; name: string };
  target: { kind: TaskTargetKind; value: string; groupId: string | null; description: string };
  /** Unknown until the first run, Scheduled between runs, Running while executing (seed 004). */
  status: TaskStatus;
  /** What the running task is doing ("Replicating folders"); null when not running. */
  command: string | null;
  /** "3 of 120 mailboxes — alice@contoso.com" while running; the last detail after. */
  latestDetail: string | null;
  /** Successful submissions; null for types without one (seed: folder and calendar replication only). */
  sequence: number | null;
  /** The traffic light of the last run: success (green), warning (orange), error (red). */
  lastResult: RunResult | null;
  lastResultMessage: string | null;
  lastRunAt: Date | null;
  nextRunAt: Date | null;
  configVersion: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  updatedBy: string;
};

export function taskView(t: TaskWithNames): TTaskView {
  const info = TASK_TYPE_INFO[t.type];
  return {
    id: t.id,
    name: t.name,
    type: t.type,
    typeLabel: info.label,
    isTypeAvailable: info.isAvailable,
    site: { id: t.site_id, name: t.site_name },
    schedule: { id: t.schedule_id, name: t.schedule_name },
    definition: { id: t.definition_id, name: t.definition_name },
    target: {
      kind: t.target_kind,
      value: t.target_value,
      groupId: t.target_group_id,
      description: describeTarget(t),
    },
    status: t.status,
    command: t.command,
    latestDetail: t.latest_detail,
    sequence: info.hasSequence ? t.sequence : null,
    lastResult: t.last_result,
    lastResultMessage: t.last_result_message,
    lastRunAt: t.last_run_at,
    nextRunAt: t.next_run_at,
    configVersion: t.config_version,
    createdAt: t.created_at,
    createdBy: t.created_by,
    updatedAt: t.updated_at,
    updatedBy: t.updated_by,
  };
}

export type TTaskDetail = TTaskView & {
  /** The target as the form edits it. */
  targetInput: TTaskTarget;
  scheduleDetail: TScheduleView;
  definitionDetail: TDefinitionView;
  siteDetail: TSiteView;
  /** The execution in progress, if any. */
  currentRun: TRunSummary | null;
  /** The latest execution (finished or not): when not running, the console shows its date and result. */
  lastRun: TRunSummary | null;
};

export function taskTargetInput(t: TaskWithNames): TTaskTarget {
  return targetOfRow(t);
}
