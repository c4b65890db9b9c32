#!/usr/bin/env bash
# Makes sure /usr/bin/python3 can `import django` (used by tests that compare the static model
# with what Django itself reports). Installs Debian's python3-django when the import fails.
# Idempotent and silent when Django is already importable.
set -euo pipefail

PY=/usr/bin/python3
if [[ -x "$PY" ]] && "$PY" -c 'import django' >/dev/null 2>&1; then exit 0; fi

bash "$(dirname "$0")/apt-install.sh" ensure-django python3-django
"$PY" -c 'import django; print("ensure-django: Django", django.get_version())' >&2
