// GET /admin/exchange-services/directory/groups?q= – directory groups whose name starts with q (admins only)
import { withRoute } from "@/lib/authz/guard";
import { handleGroupLookup } from "@/modules/admin-tasks/lib/route-handlers";

export const dynamic = "force-dynamic";

export const GET = withRoute<Record<string, never>>((request) => handleGroupLookup(request));
