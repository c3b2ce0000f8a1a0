#!/usr/bin/env bash
# `npm run demo`: the system on this machine, in the background: the stack (PostgreSQL, Redis, the
# Microsoft 365 simulator) and the portal, built and served on 127.0.0.1. Idempotent: what already runs is
# left alone. `npm run stack:stop` stops all of it, the portal included.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

bash scripts/bootstrap.sh --quiet
npx --no-install tsx scripts/stack.ts start
npx --no-install tsx scripts/stack.ts portal

url=$(npx --no-install tsx scripts/stack.ts status --json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).services.find(x=>x.name==="portal");process.stdout.write(p&&p.url?p.url:"")})')
echo
if [ -n "$url" ]; then
  echo "Coffer is running: open $url"
else
  echo "Coffer's services are running; the portal is not part of this checkout yet."
fi
echo "Stop everything with: npm run stack:stop"
