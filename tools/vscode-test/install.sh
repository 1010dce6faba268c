#!/usr/bin/env bash
# Installs a real VS Code for the extension's tests, offline: code-server from npm (VS Code 1.100.3,
# the newest that runs on node 20) into .cache/code-server, and Debian's Chromium to drive it.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=4.100.3
DEST=.cache/code-server

need=()
for p in chromium libkrb5-dev ripgrep; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "vscode-test: apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ -d "$DEST/node_modules/code-server/lib/vscode/node_modules/node-pty/build" ]; then
  echo "vscode-test: code-server $VERSION already in $DEST"
  exit 0
fi
# @vscode/ripgrep downloads ripgrep from GitHub unless it finds this tarball first: give it Debian's rg.
TMP=${TMPDIR:-/tmp}
CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
mkdir -p "$CACHE"
if [ ! -f "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  work=$(mktemp -d)
  cp /usr/bin/rg "$work/rg"
  tar -czf "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$work" rg
  rm -rf "$work"
fi
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{"name":"code-server-cache","private":true}' > "$DEST/package.json"
echo "vscode-test: installing code-server $VERSION into $DEST (1-2 minutes)"
# npm 11 blocks dependency install scripts by default; code-server needs its own (it installs VS
# Code's server modules and builds their native parts), so they run in this isolated folder only.
( cd "$DEST" && npm_config_yes=true npm_config_dangerously_allow_all_scripts=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund "code-server@$VERSION" >/dev/null )
test -f "$DEST/node_modules/code-server/lib/vscode/out/server-main.js"
test -d "$DEST/node_modules/code-server/lib/vscode/node_modules/node-pty/build" || { echo "vscode-test: code-server's native modules did not build" >&2; exit 1; }
echo "vscode-test: code-server ready"
