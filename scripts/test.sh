#!/usr/bin/env bash
# `npm test`: everything, from a fresh machine or an up-to-date one.
#   1. bootstrap: npm dependencies, and Debian's redis-server, chromium and libxml2-utils when missing
#   2. the stack (PostgreSQL, Redis, the simulator), started only if not running
#   3. check (types, lint, manifest), unit, integration and e2e tests: every tier runs even when an
#      earlier one failed; each runner prints its own summary, then one line sums them up.
# Exits non-zero when anything failed. With CI=true the stack is stopped at the end, so nothing lingers.
set -uo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1
reports="${COFFER_HOME:-$PWD/.coffer}/test-reports"
rm -rf "$reports"
mkdir -p "$reports"
started_at=$(date +%s)

banner() { printf '\n══ %s\n' "$*"; }
# tier NAME COMMAND…: runs one tier, keeping its exit code and duration for the summary.
tier() {
  local name="$1" t0
  shift
  t0=$(date +%s)
  "$@"
  echo $? >"$reports/$name.exit"
  echo $(($(date +%s) - t0)) >"$reports/$name.seconds"
}

banner "bootstrap"
if ! bash scripts/bootstrap.sh --for-tests; then
  echo "npm test: the bootstrap failed, so nothing could be tested."
  echo "0 passed, 1 failed"
  exit 1
fi

if [ "${CI:-}" = "true" ]; then
  # CI machines are shared by later runs: leave no service behind, whatever happens below.
  trap 'banner "stopping the stack (CI)"; npx --no-install tsx scripts/stack.ts stop' EXIT
fi

banner "stack"
tier stack npx --no-install tsx scripts/stack.ts start

banner "check"
tier check bash scripts/check.sh --report "$reports/check.json"

banner "unit tests"
tier unit npx --no-install vitest run --project unit \
  --reporter=default --reporter=json --outputFile.json="$reports/unit.json"

banner "integration tests"
tier integration npx --no-install vitest run --project integration \
  --reporter=default --reporter=json --outputFile.json="$reports/integration.json"

if [ -f test/playwright.config.ts ]; then
  banner "e2e tests"
  export PLAYWRIGHT_JSON_OUTPUT_NAME="$reports/e2e.json"
  tier e2e npx --no-install playwright test -c test/playwright.config.ts --reporter=list,json
fi

banner "summary ($(($(date +%s) - started_at)) s)"
npx --no-install tsx scripts/test-summary.ts "$reports"
