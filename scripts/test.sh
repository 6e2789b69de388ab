#!/usr/bin/env bash
# `npm test`: set-up, build, then every test step; a failing step does not stop the later ones.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
started=$SECONDS

say "Checking prerequisites"
require_node_20
ensure_system_packages libkrb5-dev ripgrep chromium
ensure_node_modules
ensure_code_server
say "Building (npm run build)"
npm run --silent build || die "build failed"

passed=0 failed=0 skipped=0 failed_steps=()
step() {
  local name=$1
  shift
  say "$name: $*"
  local step_started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "$name: passed in $((SECONDS - step_started))s"
  else
    failed=$((failed + 1))
    failed_steps+=("$name")
    echo "$name: FAILED in $((SECONDS - step_started))s"
  fi
}
# has_node_tests DIR: DIR holds files node --test would run.
has_node_tests() { [ -d "$1" ] && [ -n "$(find "$1" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \) -print -quit)" ]; }
skip() {
  say "$1: skipped, $2"
  skipped=$((skipped + 1))
}

# ESLint (eslint.config.mjs) and the dependency rules (.dependency-cruiser.cjs): both run, each failure names its rule.
lint_and_dependency_rules() {
  local status=0
  npm run --silent lint || { echo "ESLint: the rule is named at the end of each problem above (eslint.config.mjs)"; status=1; }
  npm run --silent depcheck || { echo "Dependency rules: the rule is named after 'error' above, with what to do (.dependency-cruiser.cjs)"; status=1; }
  return $status
}

step "type checks" npm run --silent typecheck
step "lint and dependency rules" lint_and_dependency_rules
if has_node_tests test/unit; then step "unit tests" node --test test/unit/; else skip "unit tests" "no tests in test/unit yet"; fi
if has_node_tests core/test; then step "core tests" node --test core/test/; else skip "core tests" "no tests in core/test yet"; fi
step "integration tests (extension host in code-server)" node scripts/code-server/run-integration.mjs
step "e2e tests (UI in headless Chromium)" node --test --test-timeout=900000 test/e2e/*.e2e.mjs

say "npm test finished in $((SECONDS - started))s"
[ "$failed" -eq 0 ] || echo "failed: ${failed_steps[*]}"
echo "steps: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
