#!/usr/bin/python3
"""Oracle: dump the URL routes Django itself sees for a project, as JSON.

Usage: /usr/bin/python3 test/oracle/django_urls.py PROJECT_DIR [SETTINGS_MODULE]

The settings module is taken from the argument, else from manage.py's
``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")`` line, else from the
DJANGO_SETTINGS_MODULE environment variable.

Output schema (stdout):
  {"routes": [{"route": str, "name": str|null, "qualifiedName": str|null,
               "view": {"module", "qualname", "file", "line"} | null,
               # file/line are null for views defined outside PROJECT_DIR
               ["kind": "admin"]}]}
``route`` concatenates str(pattern) of every level (regex levels keep ^/$).
``admin.site.urls`` is not expanded: it is one entry with view null and
kind "admin". Order is Django's own (url_patterns order, depth first).
Errors go to stderr and the exit status is non-zero.

This module is also imported by django_resolve.py for the shared setup code.
"""
import inspect
import json
import os
import re
import sys
import traceback

SETTINGS_RE = re.compile(
    r"""os\.environ\.setdefault\(\s*['"]DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([^'"]+)['"]\s*\)"""
)


class OracleError(Exception):
    pass


def settings_from_manage_py(project_dir):
    manage = os.path.join(project_dir, "manage.py")
    try:
        with open(manage, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    m = SETTINGS_RE.search(text)
    return m.group(1) if m else None


def setup_django(project_dir, settings_module=None):
    """Put project_dir on sys.path, select the settings module, django.setup()."""
    project_dir = os.path.realpath(project_dir)
    if not os.path.isdir(project_dir):
        raise OracleError("not a directory: %s" % project_dir)
    settings_module = (
        settings_module
        or settings_from_manage_py(project_dir)
        or os.environ.get("DJANGO_SETTINGS_MODULE")
    )
    if not settings_module:
        raise OracleError(
            "no settings module: pass one, or have manage.py call "
            'os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)'
        )
    # Never leave __pycache__ directories behind in fixture projects.
    sys.dont_write_bytecode = True
    sys.path.insert(0, project_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    return project_dir


def unwrap_view(callback):
    """The function or class that really implements a URL's callback."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return view_class
    try:
        view = inspect.unwrap(callback)
    except ValueError:  # cycle in __wrapped__
        view = callback
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return view_class
    return view


def _relative_file(path, project_dir):
    if not path:
        return None
    real = os.path.realpath(path)
    try:
        rel = os.path.relpath(real, project_dir)
    except ValueError:
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def _def_line(view):
    """1-based line of the def/async def/class keyword, skipping decorators."""
    try:
        lines, start = inspect.getsourcelines(view)
    except (OSError, TypeError):
        return None
    if start == 0:  # a module object; should not happen for views
        start = 1
    for i, text in enumerate(lines):
        s = text.lstrip()
        if s.startswith(("def ", "async def ", "class ")):
            return start + i
    return start


def describe_view(callback, project_dir):
    view = unwrap_view(callback)
    module = getattr(view, "__module__", None)
    qualname = getattr(view, "__qualname__", None)
    if qualname is None:  # callable instance: describe its class
        module = type(view).__module__
        qualname = type(view).__qualname__
    try:
        src = inspect.getsourcefile(view)
    except TypeError:
        src = None
    file = _relative_file(src, project_dir)
    return {
        "module": module,
        "qualname": qualname,
        "file": file,
        # Lines outside the project (Django's own views) depend on the
        # installed Django version, so they are null like the file.
        "line": _def_line(view) if file is not None else None,
    }


def walk(resolver, prefix, namespaces, project_dir, out):
    from django.urls import URLPattern, URLResolver

    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                out.append(
                    {"route": route, "name": None, "qualifiedName": None,
                     "view": None, "kind": "admin"}
                )
                continue
            ns = namespaces + [p.namespace] if p.namespace else namespaces
            walk(p, route, ns, project_dir, out)
        elif isinstance(p, URLPattern):
            name = p.name
            out.append({
                "route": route,
                "name": name,
                "qualifiedName": ":".join(namespaces + [name]) if name is not None else None,
                "view": describe_view(p.callback, project_dir),
            })
        else:
            raise OracleError("unexpected entry in urlpatterns: %r" % (p,))
    return out


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: django_urls.py PROJECT_DIR [SETTINGS_MODULE]\n")
        return 2
    project_dir = setup_django(argv[1], argv[2] if len(argv) == 3 else None)
    from django.urls import get_resolver

    routes = walk(get_resolver(), "", [], project_dir, [])
    json.dump({"routes": routes}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run(main):
    """Runs an oracle's main(): its exit code, or 1 with the traceback on stderr."""
    try:
        sys.exit(main(sys.argv))
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc(file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run(main)
