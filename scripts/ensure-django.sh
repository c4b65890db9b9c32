#!/usr/bin/env bash
# Makes sure /usr/bin/python3 can `import django` (used by tests that compare the static model
# with what Django itself reports). Installs Debian's python3-django when the import fails.
# Idempotent and silent when Django is already importable.
set -euo pipefail

PY=/usr/bin/python3
if [[ -x "$PY" ]] && "$PY" -c 'import django' >/dev/null 2>&1; then exit 0; fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-django: apt-get not found; install Django for $PY by hand" >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-django: need root (or sudo) to install python3-django" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
echo "ensure-django: installing python3-django" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-django >/dev/null
"$PY" -c 'import django; print("ensure-django: Django", django.get_version())' >&2
