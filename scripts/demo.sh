#!/usr/bin/env bash
# `npm run demo`: the system on this machine, in the background: the stack (PostgreSQL, Redis, the
# Microsoft 365 simulator with its demo tenant), an initial archive sync, and the portal, built and served on
# 127.0.0.1. Idempotent: what already runs is left alone. `npm run stack:stop` stops the services and the
# portal; the background sync ends by itself.
#
# The sync: the three demo sign-ins' mailboxes are archived first, in the foreground (about a minute), so the
# portal is useful at once; the rest of the tenant (25 users x 500 messages) is archived by `coffer sync --all`
# in the background, logging to .coffer/logs/demo-sync.log.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

bash scripts/bootstrap.sh --quiet
npx --no-install tsx scripts/stack.ts start
npx --no-install tsx scripts/demo-setup.ts settings
npx --no-install tsx scripts/demo-setup.ts people

home="${COFFER_HOME:-.coffer}"
people="$home/demo-people.json"
field() { node -e "process.stdout.write(JSON.parse(require('fs').readFileSync('$people','utf8')).$1)"; }
user=$(field user)
delegate=$(field delegate)
admin=$(field admin)
password=$(field password)

echo
echo "Archiving the demo sign-ins' mailboxes (each prints what it archived)..."
for upn in "$user" "$delegate" "$admin"; do
  npx --no-install coffer sync "$upn" --wait
done
npx --no-install tsx scripts/demo-setup.ts delegate

mkdir -p "$home/logs"
pidfile="$home/demo-sync.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "The background sync of the whole tenant is still running (pid $(cat "$pidfile"))."
else
  nohup npx --no-install coffer sync --all >"$home/logs/demo-sync.log" 2>&1 &
  echo $! >"$pidfile"
  echo "Archiving the rest of the tenant in the background (pid $!): tail -f $home/logs/demo-sync.log"
fi

npx --no-install tsx scripts/stack.ts portal
# The worker runs the Exchange Tasks (the first-start task over all licensed mailboxes, and what admins
# create in the console); `npm run stack:stop` stops it too.
npx --no-install tsx scripts/stack.ts worker

url=$(npx --no-install tsx scripts/stack.ts status --json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).services.find(x=>x.name==="portal");process.stdout.write(p&&p.url?p.url:"")})')
echo
if [ -n "$url" ]; then
  echo "Coffer is running: open $url and choose Sign in."
  echo
  echo "Demo sign-ins (password for all: $password):"
  echo "  user       $user (their own mailbox)"
  echo "  delegate   $delegate (their own mailbox, and the CEO's as a delegate)"
  echo "  admin      $admin (Users page: every mailbox, with content view)"
  echo
  echo "The sign-in page is the Microsoft 365 simulator's, served over HTTPS with its own certificate"
  echo "authority: your browser warns once. Accept it, or import $home/sim/ca.pem as a trusted authority."
else
  echo "Coffer's services are running; the portal is not part of this checkout yet."
fi
echo "Stop everything with: npm run stack:stop"
