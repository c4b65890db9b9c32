#!/usr/bin/env bash
# Unpacks (never installs) Debian packages that ship real Django code into .corpora/<name>/, for
# tests and benchmarks that index real-world code. Idempotent: a corpus whose .done marker exists
# is skipped. Writes .corpora/index.json: [{"name","root","pyFiles","codeDir","package","version"}]
# where `root` (relative to the repository) is the directory to open as a workspace: the directory
# that holds the top-level Python packages (so `graphite.settings` resolves as a dotted module),
# or, for a flat project such as mailman3-web, the directory holding manage.py/settings.py/urls.py.
#
# Needs apt-get/dpkg (Debian). `apt-get update` runs only when python3-django has no candidate.
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPORA="$REPO/.corpora"
DIST=usr/lib/python3/dist-packages

# name | Debian package | workspace root (relative to the unpacked package) | code dirs (space separated)
#
# Roots:
#  - python3-django, DRF, allauth, postorius, hyperkitty: reusable apps/libraries, no project;
#    the root is dist-packages so module names (django.contrib.admin, ...) resolve.
#  - python3-django-horizon: besides the `horizon` library it ships the OpenStack dashboard
#    project `openstack_dashboard` (settings.py, urls.py, ~830 .py files) and `openstack_auth`,
#    side by side under dist-packages: root is dist-packages.
#  - graphite-web: the Django project package is `graphite` (graphite/settings.py, graphite/urls.py,
#    graphite/wsgi.py, apps graphite.account, graphite.browser, ...) under dist-packages;
#    /usr/share/graphite-web holds only graphite.wsgi and static files, so the root is dist-packages.
#  - lava-server: project package `lava_server` (lava_server/settings/{common,dev,prod}.py,
#    lava_server/urls.py) plus apps lava_scheduler_app, lava_results_app, lava_rest_app,
#    linaro_django_xmlrpc, all under dist-packages: root is dist-packages.
#  - mailman3-web: a flat project in /usr/share/mailman3-web (manage.py, settings.py, urls.py,
#    wsgi.py; settings_local.py is a symlink to /etc/mailman3/mailman-web.py, dangling here).
CORPUS_SPECS=(
  "python3-django|python3-django|$DIST|$DIST/django"
  "graphite-web|graphite-web|$DIST|$DIST/graphite"
  "python3-django-horizon|python3-django-horizon|$DIST|$DIST/openstack_dashboard $DIST/horizon $DIST/openstack_auth"
  "lava-server|lava-server|$DIST|$DIST/lava_server $DIST/lava_scheduler_app $DIST/lava_results_app $DIST/lava_rest_app $DIST/linaro_django_xmlrpc"
  "mailman3-web|mailman3-web|usr/share/mailman3-web|usr/share/mailman3-web"
  "python3-djangorestframework|python3-djangorestframework|$DIST|$DIST/rest_framework"
  "python3-django-allauth|python3-django-allauth|$DIST|$DIST/allauth"
  "python3-django-postorius|python3-django-postorius|$DIST|$DIST/postorius"
  "python3-django-hyperkitty|python3-django-hyperkitty|$DIST|$DIST/hyperkitty"
)

warn() { echo "corpora: warning: $*" >&2; }
log() { echo "corpora: $*"; }

for tool in apt-get apt-cache dpkg; do
  command -v "$tool" >/dev/null 2>&1 || { warn "$tool not found (not a Debian system?); nothing to do"; exit 0; }
done
mkdir -p "$CORPORA"

has_candidate() {
  local c
  c="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  [[ -n "$c" && "$c" != "(none)" ]]
}

if ! has_candidate python3-django; then
  log "no apt candidate for python3-django: running apt-get update"
  apt-get update -qq || warn "apt-get update failed"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP" # lets apt's _apt user write into it (avoids the "unsandboxed" notice)

unpack() { # name package
  local name="$1" pkg="$2" dest="$CORPORA/$1" deb version
  if [[ -f "$dest/.done" ]]; then return 0; fi
  if ! has_candidate "$pkg"; then warn "package $pkg is not available; skipping $name"; return 1; fi
  rm -rf "$dest" "$TMP"/*.deb
  log "downloading $pkg"
  if ! (cd "$TMP" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
    warn "apt-get download $pkg failed; skipping $name"; return 1
  fi
  deb="$(ls "$TMP"/*.deb 2>/dev/null | head -n1)"
  [[ -n "$deb" ]] || { warn "no .deb downloaded for $pkg; skipping $name"; return 1; }
  version="$(dpkg-deb -f "$deb" Version)"
  mkdir -p "$dest"
  if ! dpkg -x "$deb" "$dest"; then warn "dpkg -x failed for $pkg"; rm -rf "$dest"; return 1; fi
  printf '%s %s\n' "$pkg" "$version" >"$dest/.done"
  rm -f "$deb"
}

count_py() { find "$@" -type f -name '*.py' 2>/dev/null | wc -l | tr -d ' '; }

json="["
sep=""
printf '\n%-30s %-62s %8s %8s\n' "corpus" "code directory" ".py" "MB"
for spec in "${CORPUS_SPECS[@]}"; do
  IFS='|' read -r name pkg root codes <<<"$spec"
  unpack "$name" "$pkg" || continue
  base="$CORPORA/$name"
  if [[ ! -d "$base/$root" ]]; then warn "$name: expected root $root is missing; skipping"; continue; fi
  codedirs=()
  for c in $codes; do
    if [[ -d "$base/$c" ]]; then codedirs+=("$base/$c"); else warn "$name: expected code dir $c is missing"; fi
  done
  ((${#codedirs[@]})) || codedirs=("$base/$root")
  for d in "${codedirs[@]}"; do
    printf '%-30s %-62s %8s %8s\n' "$name" "${d#"$REPO"/}" "$(count_py "$d")" "$(du -sm "$d" | cut -f1)"
  done
  py="$(count_py "$base/$root")"
  mb="$(du -sm "$base/$root" | cut -f1)"
  version="$(cut -d' ' -f2 "$base/.done")"
  printf '%-30s %-62s %8s %8s\n' "$name" "(root) .corpora/$name/$root" "$py" "$mb"
  json+="$sep"$'\n'"  {\"name\": \"$name\", \"root\": \".corpora/$name/$root\", \"pyFiles\": $py, \"codeDir\": \".corpora/${codedirs[0]#"$CORPORA"/}\", \"package\": \"$pkg\", \"version\": \"$version\", \"mb\": $mb}"
  sep=","
done
json+=$'\n'"]"
printf '%s\n' "$json" >"$CORPORA/index.json"
log "wrote ${CORPORA#"$REPO"/}/index.json (paths are relative to the repository root)"
