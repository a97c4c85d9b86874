#!/usr/bin/env bash
# Builds the VSIX (logprob-lens.vsix) and installs it into VS Code when `code` is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$(bash scripts/ensure-node.sh):$PATH"
export PATH
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run package
if command -v code >/dev/null 2>&1; then
  code --install-extension logprob-lens.vsix --force
  echo "Installed. Reload VS Code, then run “Logprob Lens: Set API Key” or point logprobLens.baseUrl at a local server."
else
  echo "Built logprob-lens.vsix. VS Code's 'code' command is not on PATH: install it with"
  echo "  Extensions view → … → Install from VSIX…, or: code --install-extension logprob-lens.vsix"
fi
