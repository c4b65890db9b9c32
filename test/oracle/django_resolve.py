#!/usr/bin/python3
"""Oracle: resolve request paths with Django's own resolver, as JSON.

Usage: /usr/bin/python3 test/oracle/django_resolve.py PROJECT_DIR PATH...

Paths are handed to django.urls.resolve() unchanged, so they need Django's
leading "/" (e.g. "/blog/1/"). The settings module comes from manage.py's
os.environ.setdefault(...) line, else from DJANGO_SETTINGS_MODULE.

Output schema (stdout):
  {"results": [{"path": str,
                "match": null | {"route": str, "url_name": str|null,
                                 "namespace": str, "view": {"module", "qualname"},
                                 "args": [...], "kwargs": {...}}}]}
``route`` is ResolverMatch.route; ``namespace`` is ResolverMatch.namespace
("" when none). Converted values that JSON cannot hold (UUID, ...) are str()'d.
A path Django cannot resolve (Resolver404) gives "match": null.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # keep test/oracle and the fixtures free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import django_urls  # noqa: E402  (shared setup/unwrap helpers)

del sys.path[0]


def resolve_one(path):
    from django.urls import Resolver404, resolve

    try:
        m = resolve(path)
    except Resolver404:
        return {"path": path, "match": None}
    view = django_urls.unwrap_view(m.func)
    return {
        "path": path,
        "match": {
            "route": m.route,
            "url_name": m.url_name,
            "namespace": m.namespace,
            "view": {
                "module": getattr(view, "__module__", None),
                "qualname": getattr(view, "__qualname__", None),
            },
            "args": list(m.args),
            "kwargs": dict(m.kwargs),
        },
    }


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: django_resolve.py PROJECT_DIR PATH...\n")
        return 2
    django_urls.setup_django(argv[1])
    results = [resolve_one(p) for p in argv[2:]]
    json.dump({"results": results}, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    django_urls.run(main)
