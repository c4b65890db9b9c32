#!/usr/bin/python3
"""Oracle: reverse URL names with Django's own reverse(), then resolve() the result, as JSON.

Usage: /usr/bin/python3 test/oracle/django_reverse.py PROJECT_DIR < requests.json

stdin: {"names": [{"name": "blog:detail", "params": ["pk"], "positional": 0}]}
For each name, reverse() is tried with every parameter set to the same sample
value ("2024", then "1", then "a"; unnamed groups get positional args), and the
first value Django accepts is reported.

Output schema (stdout):
  {"results": [{"name": str, "path": str|null, "values": [str]|null,
                "view": {"module", "qualname"}|null, "error": str|null}]}
"path" is reverse()'s answer; "view" is the unwrapped view of resolve(path).
"""
import itertools
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import django_urls  # noqa: E402

del sys.path[0]

SAMPLES = [2024, "2024", "01", "1", "a", "abcdef", "0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"]


def reverse_one(req):
    from django.urls import NoReverseMatch, resolve, reverse

    last_error = None
    count = req.get("positional") or len(req["params"])
    for values in itertools.product(SAMPLES, repeat=count):
        try:
            if req.get("positional"):
                path = reverse(req["name"], args=list(values))
            else:
                path = reverse(req["name"], kwargs=dict(zip(req["params"], values)))
        except (NoReverseMatch, TypeError, ValueError) as e:
            # TypeError/ValueError: a custom converter's to_url() refused the sample value.
            last_error = str(e)
            continue
        m = resolve(path)
        view = django_urls.unwrap_view(m.func)
        return {
            "name": req["name"],
            "path": path,
            "values": [str(v) for v in values],
            "view": {"module": getattr(view, "__module__", None), "qualname": getattr(view, "__qualname__", None)},
            "error": None,
        }
    return {"name": req["name"], "path": None, "values": None, "view": None, "error": last_error}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: django_reverse.py PROJECT_DIR < requests.json\n")
        return 2
    django_urls.setup_django(argv[1])
    reqs = json.load(sys.stdin)["names"]
    json.dump({"results": [reverse_one(r) for r in reqs]}, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    django_urls.run(main)
