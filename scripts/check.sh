#!/usr/bin/env bash
# `npm run check`: types, lint/format and the add-in manifest. Runs every step even when one fails, prints
# a line per step, and exits non-zero when any failed.
#
#   check.sh [--report FILE]   also writes {"passed":N,"failed":N,"steps":[…]} to FILE (for npm test)
set -uo pipefail
cd "$(dirname "$0")/.."

report=""
if [ "${1:-}" = "--report" ]; then report="${2:?--report needs a file}"; fi

names=()
results=()
step() {
  local name="$1"
  shift
  echo "── check: $name"
  if "$@"; then results+=(passed); else results+=(failed); fi
  names+=("$name")
}

step "types (tsc -p tsconfig.json)" npx --no-install tsc -p tsconfig.json --noEmit
if [ -f portal/tsconfig.json ]; then
  step "portal types (tsc -p portal/tsconfig.json)" npx --no-install tsc -p portal/tsconfig.json --noEmit
fi
step "lint and format (biome check .)" npx --no-install biome check .

if [ -f manifest.xml ]; then
  # shared/ sits beside the checkout (../shared); a shared/ inside the repo is accepted too.
  xsd=""
  for dir in ../shared shared; do
    if [ -f "$dir/schemas/office-addin-manifest/OfficeAppManifestV1_1.xsd" ]; then
      xsd="$dir/schemas/office-addin-manifest/OfficeAppManifestV1_1.xsd"
      break
    fi
  done
  if [ -z "$xsd" ]; then
    step "manifest.xml (xmllint)" sh -c 'echo "The add-in schemas were not found in ../shared/schemas/office-addin-manifest or shared/schemas/office-addin-manifest." >&2; exit 1'
  elif ! command -v xmllint >/dev/null; then
    step "manifest.xml (xmllint)" sh -c 'echo "xmllint is missing: apt-get install -y libxml2-utils (npm test installs it)." >&2; exit 1'
  else
    step "manifest.xml (xmllint against the Office XSDs)" xmllint --noout --nonet --schema "$xsd" manifest.xml
  fi
fi

passed=0
failed=0
steps_json=""
for i in "${!names[@]}"; do
  if [ "${results[$i]}" = passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '%-8s %s\n' "${results[$i]}" "${names[$i]}"
  steps_json+="${steps_json:+,}{\"name\":\"${names[$i]}\",\"result\":\"${results[$i]}\"}"
done
echo "check: $passed passed, $failed failed"
if [ -n "$report" ]; then
  mkdir -p "$(dirname "$report")"
  echo "{\"passed\":$passed,\"failed\":$failed,\"steps\":[$steps_json]}" >"$report"
fi
[ "$failed" = 0 ]
