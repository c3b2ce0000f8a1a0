// GET|POST /api/auth/* – Auth.js: the Entra ID redirect, its callback, the session and CSRF endpoints
import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/options";
import { withPublicUrl } from "@/lib/auth/public-url";

// Auth.js needs only a Request; a NextRequest would turn the host back into "localhost" (public-url.ts).
export function GET(request: NextRequest): Promise<Response> {
  return handlers.GET(withPublicUrl(request) as NextRequest);
}

export function POST(request: NextRequest): Promise<Response> {
  return handlers.POST(withPublicUrl(request) as NextRequest);
}
