import { syncPim } from "@coffer/worker/pim/sync-pim";
import { resolveMailbox } from "@coffer/worker/sync/sync-mailbox";
import type { TSyncDeps } from "@coffer/worker/sync/types";
import type { SimControl } from "../../m365-sim/src/client";

/**
 * Calendar, contacts and tasks for bob's mailbox in the e2e tenant (alice keeps none, so the snapshot
 * view's "no calendar" empty state stays testable). March 2026, in UTC: a weekly Monday stand-up series
 * with one cancelled day and one moved occurrence, and a single "Dentist" event that is deleted between
 * the two syncs (so it shows at an earlier snapshot time only).
 */
export const PIM_SEED = {
  month: "2026-03-01",
  series: "Weekly stand-up",
  moved: "Weekly stand-up (moved)",
  cancelledDay: "2026-03-09",
  movedDay: "2026-03-16",
  deletedEvent: "Dentist",
  deletedDay: "2026-03-04",
  contact: "Ada Lovelace",
  contactPhone: "+44 20 7946 0001",
  taskList: "Launch",
  task: "Ship it",
  steps: ["Write notes", "Tag release"],
} as const;

export async function seedPim(ctl: SimControl, upn: string): Promise<{ deletedEventId: string }> {
  const series = await ctl.createEvent(upn, {
    subject: PIM_SEED.series,
    start: { dateTime: "2026-03-02T09:00:00", timeZone: "UTC" },
    end: { dateTime: "2026-03-02T09:30:00", timeZone: "UTC" },
    location: "Room 1",
    recurrence: {
      pattern: { type: "weekly", interval: 1, daysOfWeek: ["monday"], firstDayOfWeek: "monday" },
      range: { type: "endDate", startDate: "2026-03-02", endDate: "2026-03-30", recurrenceTimeZone: "UTC" },
    },
  });
  await ctl.cancelOccurrence(upn, series.id, PIM_SEED.cancelledDay);
  await ctl.addEventException(upn, series.id, {
    originalStartDate: PIM_SEED.movedDay,
    subject: PIM_SEED.moved,
    start: { dateTime: "2026-03-16T14:00:00", timeZone: "UTC" },
    end: { dateTime: "2026-03-16T14:30:00", timeZone: "UTC" },
  });
  const dentist = await ctl.createEvent(upn, {
    subject: PIM_SEED.deletedEvent,
    start: { dateTime: "2026-03-04T15:00:00", timeZone: "UTC" },
    end: { dateTime: "2026-03-04T16:00:00", timeZone: "UTC" },
  });
  await ctl.createContact(upn, {
    givenName: "Ada",
    surname: "Lovelace",
    displayName: PIM_SEED.contact,
    companyName: "Analytical Engines",
    emailAddresses: [{ name: "Ada", address: "ada@example.com" }],
    phones: [
      { type: "mobile", number: "+44 7700 900001" },
      { type: "assistant", number: PIM_SEED.contactPhone },
    ],
  });
  const list = await ctl.createTodoList(upn, { displayName: PIM_SEED.taskList });
  await ctl.createTask(upn, {
    list: list.id,
    title: PIM_SEED.task,
    importance: "high",
    checklistItems: [{ displayName: PIM_SEED.steps[0] }, { displayName: PIM_SEED.steps[1], isChecked: true }],
  });
  return { deletedEventId: dentist.id };
}

/** Archives bob's calendar, contacts and tasks with the real PIM sync (notes are off in the e2e policy). */
export async function syncPimOf(deps: TSyncDeps, upn: string): Promise<void> {
  const mailbox = await resolveMailbox(deps, upn);
  const results = await syncPim(deps, mailbox, { types: ["calendar", "contacts", "tasks"] });
  const failed = results.filter((r) => r.status !== "synced");
  if (failed.length) throw new Error(`PIM sync failed: ${JSON.stringify(failed)}`);
}
