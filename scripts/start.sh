#!/usr/bin/env bash
# Builds Optiscope and opens it in code-server on 127.0.0.1 (URL printed). Usage: scripts/start.sh [FOLDER]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"

say "Checking prerequisites"
require_node_20
ensure_node_modules
ensure_code_server
say "Building (npm run build)"
npm run --silent build
say "Starting code-server on 127.0.0.1"
exec node scripts/code-server/start.mjs "$@"
