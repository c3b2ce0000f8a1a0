import type { TaskType } from "@coffer/db/schema";
import type { TScheduleInput } from "@coffer/worker/tasks/schedule-rules";

/**
 * Turns the console's HTML forms into the Exchange Tasks API's inputs. Deliberately no validation here:
 * the API validates (and says what is wrong, per field), so the console and the CLI refuse exactly the
 * same things. These functions only reshape strings: a blank number becomes "not given" (the API's
 * default), ticked boxes become booleans, a textarea becomes one entry per line.
 */

type TForm = Pick<FormData, "get" | "getAll">;

function text(form: TForm, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
}

/** A number field: blank means "not given", anything else goes to the API as typed. */
function numberText(form: TForm, name: string): string | undefined {
  const v = text(form, name)?.trim();
  return v ? v : undefined;
}

function isTicked(form: TForm, name: string): boolean {
  return form.get(name) !== null;
}

/** Non-blank lines of a textarea, trimmed. */
export function lines(value: string | undefined): string[] {
  return (value ?? "")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function scheduleInputFromForm(form: TForm): TScheduleInput {
  const kind = text(form, "kind");
  const hasWindow = isTicked(form, "hasWindow");
  return {
    name: text(form, "name") ?? "",
    kind: kind as TScheduleInput["kind"],
    ...(kind === "cron" ? { cron: text(form, "cron") ?? "" } : {}),
    ...(kind === "interval" ? { intervalMinutes: numberText(form, "intervalMinutes") ?? "" } : {}),
    timeZone: text(form, "timeZone")?.trim() || "UTC",
    window: hasWindow ? { start: text(form, "windowStart") ?? "", end: text(form, "windowEnd") ?? "" } : null,
  };
}

function folderSelection(form: TForm): Record<string, unknown> {
  const mode = text(form, "foldersMode") ?? "all";
  if (mode === "all") return { mode };
  return { mode, paths: lines(text(form, "folderPaths")) };
}

/** "Projects; 30" (or "Projects = 30") per line: a managed folder and its retention in days. */
export function managedFolderLines(
  value: string | undefined,
): Array<{ name: string; retentionDays: string }> {
  return lines(value).map((line) => {
    const at = Math.max(line.lastIndexOf(";"), line.lastIndexOf("="));
    if (at < 0) return { name: line, retentionDays: "" };
    return { name: line.slice(0, at).trim(), retentionDays: line.slice(at + 1).trim() };
  });
}

/** A definition's settings as the form for its type sends them (field names below match the form). */
export function definitionSettingsFromForm(type: TaskType, form: TForm): Record<string, unknown> {
  const n = (name: string) => numberText(form, name);
  const withNumbers = (entries: Record<string, string | undefined>) =>
    Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
  switch (type) {
    case "folder_replication":
      return {
        dataTypes: form.getAll("dataTypes").filter((v): v is string => typeof v === "string"),
        folders: folderSelection(form),
        includeHidden: isTicked(form, "includeHidden"),
      };
    case "calendar_replication":
      return withNumbers({ pastDays: n("pastDays"), futureDays: n("futureDays") });
    case "storage_management":
      return {
        action: text(form, "action"),
        ...withNumbers({ olderThanDays: n("olderThanDays"), minSizeKb: n("minSizeKb") }),
        folders: folderSelection(form),
      };
    case "managed_folders":
      return { folders: managedFolderLines(text(form, "managedFolders")) };
    case "permissions_sync":
      return {
        fullAccess: isTicked(form, "fullAccess"),
        sendAs: isTicked(form, "sendAs"),
        calendar: isTicked(form, "calendar"),
      };
  }
}

/**
 * Where a settings problem is shown: the API names nested paths ("settings.folders.2.retentionDays");
 * the form has one field per setting, so nested problems go to that field. Managed folders are one line
 * each in a textarea, so their problems say which line.
 */
export function settingsFieldOf(type: TaskType, field: string): { field: string; prefix?: string } {
  const parts = field.split(".");
  if (parts[0] !== "settings" || parts.length < 2) return { field };
  if (type === "managed_folders" && parts[1] === "folders") {
    const index = Number(parts[2]);
    return Number.isInteger(index)
      ? { field: "settings.managedFolders", prefix: `Line ${index + 1}: ` }
      : { field: "settings.managedFolders" };
  }
  if (parts[1] === "folders") return { field: "settings.folders" };
  return { field: `settings.${parts[1]}` };
}
