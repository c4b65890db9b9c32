#!/usr/bin/env bash
# Makes sure the raw-SQL baselines that `npm run bench` compares us with are available: Debian's
# bandit (B608/B610/B611), run as /usr/bin/bandit. Ruff comes from npm (@astral-sh/ruff-wasm-nodejs,
# a devDependency) and needs nothing here. Idempotent and silent when bandit is already installed.
# Called by the bench only, never by the tests.
set -euo pipefail

if [[ -x /usr/bin/bandit ]]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-bench-tools: apt-get not found; install bandit by hand" >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-bench-tools: need root (or sudo) to install bandit" >&2; exit 1; }
  SUDO="sudo"
fi
echo "ensure-bench-tools: installing Debian's bandit" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bandit >/dev/null
/usr/bin/bandit --version >&2 || true
