/** The admin console's URLs, in one place so pages, links, actions and tests agree. */
export const ADMIN_HOME = "/admin";
const EXS = "/admin/exchange-services";

export type TTaskListQuery = {
  type?: string | undefined;
  status?: string | undefined;
  siteId?: string | undefined;
  result?: string | undefined;
  q?: string | undefined;
};

export const adminPaths = {
  home: ADMIN_HOME,
  dashboard: EXS,
  tasks(query: TTaskListQuery & { created?: string; removed?: string } = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
    const qs = params.toString();
    return `${EXS}/tasks${qs ? `?${qs}` : ""}`;
  },
  newTask: `${EXS}/tasks/new`,
  task: (id: string) => `${EXS}/tasks/${encodeURIComponent(id)}`,
  taskOptions: (id: string) => `${EXS}/tasks/${encodeURIComponent(id)}/options`,
  taskLogs: (id: string) => `${EXS}/tasks/${encodeURIComponent(id)}/logs`,
  taskRun: (id: string, runId: string) =>
    `${EXS}/tasks/${encodeURIComponent(id)}/logs/${encodeURIComponent(runId)}`,
  taskProgress: (id: string) => `${EXS}/tasks/${encodeURIComponent(id)}/progress`,
  groupLookup: `${EXS}/directory/groups`,
  schedules: `${EXS}/schedules`,
  newSchedule: `${EXS}/schedules/new`,
  schedule: (id: string) => `${EXS}/schedules/${encodeURIComponent(id)}`,
  definitions: (type?: string) => `${EXS}/definitions${type ? `?type=${encodeURIComponent(type)}` : ""}`,
  newDefinition: (type?: string) =>
    `${EXS}/definitions/new${type ? `?type=${encodeURIComponent(type)}` : ""}`,
  definition: (id: string) => `${EXS}/definitions/${encodeURIComponent(id)}`,
  sites: `${EXS}/sites`,
} as const;
