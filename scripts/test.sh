#!/usr/bin/env bash
# The test command. Provides Node 24 (fetched from the npm registry into .cache/node when the system's Node is
# older), installs the project's dependencies when they are missing or stale, then runs `npm test`: lint, type
# check, unit tests, and both real-editor suites in code-server's VS Code.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
# Node 24 (and npm under it) keep a compile cache: in the project, not in /tmp.
export NODE_COMPILE_CACHE="$PWD/.cache/node-compile-cache"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm test
