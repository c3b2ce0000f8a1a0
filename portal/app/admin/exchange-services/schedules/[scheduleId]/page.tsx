import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { deleteScheduleAction } from "@/modules/admin-tasks/actions";
import { DeleteButton } from "@/modules/admin-tasks/components/delete-button";
import { ScheduleDetails } from "@/modules/admin-tasks/components/schedule-details";
import { ScheduleForm } from "@/modules/admin-tasks/components/schedule-form";
import { AdminPage } from "@/modules/admin-tasks/components/ui";
import { loadSchedule } from "@/modules/admin-tasks/lib/load-pages";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";

export const metadata: Metadata = { title: "Schedule" };

export default async function Page({ params }: { params: Promise<{ scheduleId: string }> }) {
  await onPage(requireAdmin());
  const { schedule, usage, nextRuns } = await loadSchedule((await params).scheduleId);
  return (
    <AdminPage
      section="schedules"
      title={schedule.name}
      intro={schedule.description}
      breadcrumbs={[
        { href: adminPaths.dashboard, label: "Exchange Services" },
        { href: adminPaths.schedules, label: "Schedules" },
      ]}
      actions={
        <DeleteButton action={deleteScheduleAction} id={schedule.id} name={schedule.name} what="schedule" />
      }
    >
      <div className="grid gap-10 lg:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
        <ScheduleForm
          initial={{
            id: schedule.id,
            name: schedule.name,
            kind: schedule.kind,
            cron: schedule.cron ?? "",
            intervalMinutes: schedule.intervalMinutes ? String(schedule.intervalMinutes) : "",
            timeZone: schedule.timeZone,
            window: schedule.window,
          }}
        />
        <ScheduleDetails schedule={schedule} usage={usage} nextRuns={nextRuns} />
      </div>
    </AdminPage>
  );
}
