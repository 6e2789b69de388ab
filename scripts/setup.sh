# Set-up shared by scripts/start.sh and scripts/test.sh (sourced, not run).
# Each step checks first and does nothing when its result is already there.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CODE_SERVER_VERSION=4.100.3
# Outside the repo on purpose: VS Code treats every extension under the development extension's
# folder as part of it (a built-in theme found there overrides workbench.colorTheme).
# scripts/code-server/server.mjs computes the same default.
CODE_SERVER_DIR="${OPTISCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/optiscope}/code-server-$CODE_SERVER_VERSION"
export CODE_SERVER_BIN="$CODE_SERVER_DIR/node_modules/.bin/code-server"

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\nerror: %s\n' "$*" >&2; exit 1; }

require_node_20() {
  command -v node >/dev/null || die "Node.js 20 is required (code-server $CODE_SERVER_VERSION runs on Node 20 only)."
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" = 20 ] || die "Node.js 20 is required (found $(node -v)); code-server $CODE_SERVER_VERSION runs on Node 20 only."
}

# ensure_system_packages PKG... : apt-get install what is missing (as root), or say what to install.
ensure_system_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die "missing system packages: ${missing[*]}
Install them, then run this again:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  say "Installing system packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

ensure_node_modules() {
  # npm writes node_modules/.package-lock.json on install: older than the lock file means stale.
  if [ -x "$ROOT/node_modules/.bin/esbuild" ] && ! [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    return 0
  fi
  say "Installing npm dependencies (npm ci)"
  # Errors only: npm's notes on install scripts not covered by allowScripts (esbuild's, vsce-sign's) are expected.
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
}

# code-server lives in its own npm project, installed once.
ensure_code_server() {
  local marker="$CODE_SERVER_DIR/installed-$CODE_SERVER_VERSION"
  [ -f "$marker" ] && [ -x "$CODE_SERVER_BIN" ] && return 0
  ensure_system_packages libkrb5-dev ripgrep
  local log="${CODE_SERVER_DIR%/*}/code-server-$CODE_SERVER_VERSION-install.log"
  say "Installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (once; about 2 minutes; log: $log)"
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache already holds the archive.
  local rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  local rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -f "$rg_archive" ]; then
    mkdir -p "$rg_cache"
    tar -czf "$rg_archive" -C "$(dirname "$(command -v rg)")" rg
  fi
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  echo '{ "private": true }' >"$CODE_SERVER_DIR/package.json"
  # code-server's postinstall refuses to run as root unless npm_config_unsafe_perm is set (npm itself no longer knows
  # the setting and warns), and node-pty's `npx node-gyp` needs yes. The full output goes to the log: its npm warnings
  # and node-pre-gyp's "ENOTFOUND github.com" (argon2 has no reachable prebuilt binary, so it builds from source) are
  # expected.
  if ! (cd "$CODE_SERVER_DIR" && npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION") >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "installing code-server failed; the whole output is in $log"
  fi
  "$CODE_SERVER_BIN" --version >/dev/null || die "code-server was installed but does not start"
  touch "$marker"
}
