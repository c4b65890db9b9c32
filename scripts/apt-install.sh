#!/usr/bin/env bash
# Installs Debian packages for the project's own scripts: `apt-install.sh WHO PKG...` (WHO names
# the caller in messages). Uses sudo when not root; fails with a clear message without apt-get.
set -euo pipefail
who=$1
shift
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$who: apt-get not found; install $* by hand" >&2
  exit 1
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "$who: need root (or sudo) to install $*" >&2; exit 1; }
  SUDO="sudo"
fi
echo "$who: installing $*" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
