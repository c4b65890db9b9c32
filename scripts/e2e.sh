#!/usr/bin/env bash
# End-to-end test in a real VS Code: builds the VSIX, installs it into code-server (installed by
# scripts/e2e-install.sh under the git-ignored .e2e/), opens a copy of examples/blog in Debian's
# Chromium through playwright-core (test/e2e/e2e.mjs), and leaves screenshots in
# .e2e/screenshots/. Then, in the same code-server, runs the mocha suite of test/e2e/exthost/
# inside the real extension host (test/e2e/exthost-run.mjs, on a second copy of the blog). Exits
# non-zero when either part fails. Everything the run writes stays under .e2e/.
# E2E_ONLY=ui or E2E_ONLY=exthost runs one part; E2E_STATE moves the state folder (default
# .e2e/state, emptied at the start), E2E_PORT fixes the port, E2E_REUSE_VSIX=1 skips packaging.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
bash scripts/e2e-install.sh
[ -f dist/django-lens.vsix ] && [ "${E2E_REUSE_VSIX:-}" = 1 ] || npm run package --silent >/dev/null

STATE=${E2E_STATE:-$ROOT/.e2e/state}
ONLY=${E2E_ONLY:-}
rm -rf "$STATE" && mkdir -p "$STATE"/{user-data,extensions,xdg-config,xdg-data,xdg-cache,tmp} "$ROOT/.e2e/screenshots"
rm -f "$ROOT"/.e2e/screenshots/*.png
cp -r examples/blog "$STATE/blog"
cp -r examples/blog "$STATE/blog-exthost"   # its own folder: nothing the UI check left open or unsaved carries over
export EXTENSIONS_GALLERY='{}' XDG_CONFIG_HOME=$STATE/xdg-config XDG_DATA_HOME=$STATE/xdg-data XDG_CACHE_HOME=$STATE/xdg-cache TMPDIR=$STATE/tmp
ENTRY=$ROOT/.e2e/code-server/node_modules/code-server/out/node/entry.js
node "$ENTRY" --install-extension "$ROOT/dist/django-lens.vsix" --extensions-dir "$STATE/extensions" --user-data-dir "$STATE/user-data" > "$STATE/install.log" 2>&1
mkdir -p "$STATE/user-data/User"
echo '{"workbench.startupEditor":"none","security.workspace.trust.enabled":false,"workbench.tips.enabled":false,"window.commandCenter":false,"git.openRepositoryInParentFolders":"never","git.enabled":false,"workbench.layoutControl.enabled":false}' > "$STATE/user-data/User/settings.json"

PORT=${E2E_PORT:-$((20000 + RANDOM % 20000))}
setsid node "$ENTRY" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --disable-proxy \
  --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" > "$STATE/code-server.log" 2>&1 &
CS=$!
trap 'kill -- -$CS 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "code-server did not start"; tail -20 "$STATE/code-server.log"; exit 1; }
UI=0 EXTHOST=0
if [ "$ONLY" != exthost ]; then
  node test/e2e/e2e.mjs "http://127.0.0.1:$PORT" "$STATE/blog" "$ROOT/.e2e/screenshots" "$ROOT" || UI=$?
fi
if [ "$ONLY" != ui ]; then
  echo
  # The suite loads the unpacked extension (this repository: package.json and the dist/ just
  # packaged), which takes precedence over the installed VSIX of the same id.
  node scripts/e2e-exthost-build.mjs "$STATE/exthost"
  node test/e2e/exthost-run.mjs "http://127.0.0.1:$PORT" "$STATE/blog-exthost" "$ROOT" "$STATE/exthost/index.exthost.js" "$ROOT/.e2e/screenshots" || EXTHOST=$?
fi
echo "e2e: UI checks exit $UI, extension-host tests exit $EXTHOST"
[ "$UI" = 0 ] && [ "$EXTHOST" = 0 ]
