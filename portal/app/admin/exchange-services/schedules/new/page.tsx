import type { Metadata } from "next";
import { onPage, requireAdmin } from "@/lib/authz/guard";
import { NEW_SCHEDULE, ScheduleForm } from "@/modules/admin-tasks/components/schedule-form";
import { AdminPage } from "@/modules/admin-tasks/components/ui";
import { adminPaths } from "@/modules/admin-tasks/lib/paths";

export const metadata: Metadata = { title: "New schedule" };

export default async function Page() {
  await onPage(requireAdmin());
  return (
    <AdminPage
      section="schedules"
      title="New schedule"
      breadcrumbs={[
        { href: adminPaths.dashboard, label: "Exchange Services" },
        { href: adminPaths.schedules, label: "Schedules" },
      ]}
    >
      <div className="max-w-2xl">
        <ScheduleForm initial={NEW_SCHEDULE} />
      </div>
    </AdminPage>
  );
}
