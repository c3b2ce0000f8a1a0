// GET /api/health – is the portal up, and can it use its PostgreSQL database (200 when ok, else 503)
import { checkHealth } from "@/modules/health/lib/check-health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const report = await checkHealth();
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
