"use client";

import type { RunResult, TaskStatus } from "@coffer/db/schema";
import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { TaskStatusBadge, TrafficLight } from "./ui";

/** What the progress route answers (the Exchange Tasks API's TTaskProgressEvent). */
export type TLiveProgress = {
  taskId: string;
  runId: string | null;
  status: TaskStatus;
  command: string | null;
  latestDetail: string | null;
  mailboxesDone: number;
  mailboxesTotal: number;
  sequence: number;
  lastResult: RunResult | null;
  lastResultMessage: string | null;
};

const POLL_MS = 1500;

/**
 * The live part of the task page: polls the task's progress route every 1.5 s while the page is visible
 * and shows Status, Command, Latest Detail, Sequence and the last result as they change, without a reload.
 * When a run starts or ends the page's server-rendered parts (last execution) are refreshed once.
 */
function useLiveProgress(url: string, initial: TLiveProgress) {
  const [progress, setProgress] = useState(initial);
  const [isStale, setIsStale] = useState(false);
  const router = useRouter();
  const lastStatus = useRef(initial.status);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isStopped = false;
    const controller = new AbortController();
    const tick = async () => {
      if (document.visibilityState === "visible") {
        try {
          const response = await fetch(url, { cache: "no-store", signal: controller.signal });
          if (response.ok) {
            const next = (await response.json()) as TLiveProgress;
            setProgress(next);
            setIsStale(false);
            // A run started or ended: refresh the server-rendered parts (last execution, logs).
            if (next.status !== lastStatus.current) router.refresh();
            lastStatus.current = next.status;
          } else {
            setIsStale(true);
          }
        } catch {
          if (isStopped) return;
          setIsStale(true);
        }
      }
      if (!isStopped) timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      isStopped = true;
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [url, router]);

  return { progress, isStale };
}

function Row({ term, children, live }: { term: string; children: ReactNode; live?: boolean }) {
  return (
    <div className="grid gap-1 border-b border-slate-100 py-2 sm:grid-cols-[12rem_1fr]">
      <dt className="font-medium text-slate-700">{term}</dt>
      <dd className="min-w-0 break-words text-slate-900" aria-live={live ? "polite" : undefined}>
        {children}
      </dd>
    </div>
  );
}

/** The seed's Information: created, last modified (by), status, command, latest detail, sequence. */
export function TaskInformation({
  progressUrl,
  initial,
  hasSequence,
  created,
  createdBy,
  lastModified,
  lastModifiedBy,
  lastRun,
  nextRun,
}: {
  progressUrl: string;
  initial: TLiveProgress;
  hasSequence: boolean;
  created: string;
  createdBy: string;
  lastModified: string;
  lastModifiedBy: string;
  lastRun: string;
  nextRun: string;
}) {
  const { progress, isStale } = useLiveProgress(progressUrl, initial);
  const isRunning = progress.status === "running";
  return (
    <section aria-labelledby="information-heading" data-testid="task-information">
      <h2 id="information-heading" className="text-xl font-semibold text-slate-900">
        Information
      </h2>
      <dl className="mt-2 text-sm">
        <Row term="Created">
          {created} <span className="text-slate-600">by {createdBy}</span>
        </Row>
        <Row term="Last Modified">{lastModified}</Row>
        <Row term="Last Modified By">{lastModifiedBy}</Row>
        <Row term="Status" live>
          <span data-testid="task-status">
            <TaskStatusBadge status={progress.status} />
          </span>
        </Row>
        <Row term="Command">
          <span data-testid="task-command">{isRunning ? (progress.command ?? "—") : "—"}</span>
        </Row>
        <Row term="Latest Detail" live>
          <span data-testid="latest-detail">{progress.latestDetail ?? "—"}</span>
          {isRunning && progress.mailboxesTotal > 0 ? (
            <span className="mt-2 block">
              <label htmlFor="run-progress" className="sr-only">
                Mailboxes processed
              </label>
              <progress
                id="run-progress"
                value={progress.mailboxesDone}
                max={progress.mailboxesTotal}
                className="h-2 w-full max-w-md accent-brand-700"
              >
                {progress.mailboxesDone} of {progress.mailboxesTotal}
              </progress>
            </span>
          ) : null}
        </Row>
        {hasSequence ? (
          <Row term="Sequence">
            <span data-testid="task-sequence" className="tabular-nums">
              {progress.sequence}
            </span>
          </Row>
        ) : null}
        <Row term="Last result">
          <span className="flex flex-wrap items-center gap-2" data-testid="last-result">
            <TrafficLight result={progress.lastResult} />
            {progress.lastResultMessage ? (
              <span className="text-slate-700">{progress.lastResultMessage}</span>
            ) : null}
          </span>
        </Row>
        <Row term={isRunning ? "Started" : "Last execution"}>{lastRun}</Row>
        <Row term="Next run">{nextRun}</Row>
      </dl>
      <p className="mt-2 text-xs text-slate-600" aria-live="polite">
        {isStale
          ? "Live updates paused: the server did not answer; retrying."
          : "Updates live while this page is open."}
      </p>
    </section>
  );
}
