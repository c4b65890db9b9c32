#!/usr/bin/env bash
# Installs what the end-to-end test needs, offline but for the npm registry and Debian's packages
# (see shared/docs/e2e.md): Debian's Chromium, and code-server (a full VS Code build published on
# npm) under the git-ignored .e2e/. Idempotent: a second run returns at once.
set -euo pipefail
cd "$(dirname "$0")/.."
CODE_SERVER_VERSION=4.100.3   # the newest code-server whose postinstall accepts Node 20 (VS Code 1.100.3)

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ripgrep libkrb5-dev >/dev/null
fi

ENTRY=.e2e/code-server/node_modules/code-server/out/node/entry.js
if [ -f "$ENTRY" ] && grep -q "\"version\": \"$CODE_SERVER_VERSION\"" .e2e/code-server/node_modules/code-server/package.json; then
  exit 0
fi
mkdir -p .e2e/tmp
export TMPDIR=$PWD/.e2e/tmp
# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache already holds it.
RGC=$TMPDIR/vscode-ripgrep-cache-1.15.11 && mkdir -p "$RGC"
tar czf "$RGC/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
mkdir -p .e2e/code-server && cd .e2e/code-server
echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > package.json
npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm --foreground-scripts "code-server@$CODE_SERVER_VERSION" > install.log 2>&1 \
  || { tail -40 install.log; exit 1; }
echo "code-server $CODE_SERVER_VERSION installed in .e2e/code-server"
