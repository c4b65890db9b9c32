#!/usr/bin/env bash
# Makes sure the raw-SQL baselines that `npm run bench` compares us with are available: Debian's
# bandit (B608/B610/B611), run as /usr/bin/bandit. Ruff comes from npm (@astral-sh/ruff-wasm-nodejs,
# a devDependency) and needs nothing here. Idempotent and silent when bandit is already installed.
# Called by the bench only, never by the tests.
set -euo pipefail

if [[ -x /usr/bin/bandit ]]; then exit 0; fi
bash "$(dirname "$0")/apt-install.sh" ensure-bench-tools bandit
/usr/bin/bandit --version >&2 || true
