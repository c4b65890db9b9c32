"""Counts the queries Django runs for each N+1 case of a test project, with N=3 and N=10 rows.

Usage: django_queries.py PROJECT_DIR [NAME ...]

PROJECT_DIR holds manage.py, a settings module (found from manage.py's setdefault) and a `lab`
app with `cases.py` (functions `case_*`, called without arguments) and URL patterns whose names
are view names (called with django.test.Client; `pk` is the first post). The database is an
in-memory SQLite made with `migrate --run-syncdb`; each N seeds the same shape of data:
N authors (with profiles), categories, tags, groups (two members each) and posts, each post with
two tags, N comments and a note pointing at it. Prints JSON: {"NAME": [queries at N=3, at N=10]}.
"""
import importlib
import json
import os
import re
import sys


def settings_module(project):
    text = open(os.path.join(project, "manage.py")).read()
    m = re.search(r"DJANGO_SETTINGS_MODULE\"\s*,\s*\"([\w.]+)\"", text)
    return m.group(1)


def main():
    project = os.path.abspath(sys.argv[1])
    wanted = set(sys.argv[2:])
    sys.path.insert(0, project)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module(project)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import get_resolver, reverse

    setup_test_environment()
    call_command("migrate", run_syncdb=True, verbosity=0)
    from django.contrib.contenttypes.models import ContentType
    from lab import models as m

    def seed(n):
        for model in (m.Note, m.Membership, m.Group, m.Comment, m.Post, m.Tag, m.Category, m.Profile, m.Author):
            model.objects.all().delete()
        authors = [m.Author.objects.create(name="a%d" % i) for i in range(n)]
        for a in authors:
            m.Profile.objects.create(author=a, bio="bio")
        cats = [m.Category.objects.create(name="c%d" % i) for i in range(n)]
        tags = [m.Tag.objects.create(name="t%d" % i) for i in range(n)]
        for i in range(n):
            g = m.Group.objects.create(name="g%d" % i)
            m.Membership.objects.create(group=g, author=authors[i], role="r")
            m.Membership.objects.create(group=g, author=authors[(i + 1) % n], role="r")
        ct = ContentType.objects.get_for_model(m.Post)
        for i in range(n):
            p = m.Post.objects.create(title="p%d" % i, body="b", author=authors[i], category=cats[i])
            p.tags.add(tags[i], tags[(i + 1) % n])
            for j in range(n):
                m.Comment.objects.create(post=p, author=authors[j], text="x%d" % j)
            m.Note.objects.create(content_type=ct, object_id=p.pk, text="n")
        ContentType.objects.clear_cache()

    cases = importlib.import_module("lab.cases")
    names = [k for k in dir(cases) if k.startswith("case_")]
    url_names = [p.name for p in get_resolver().url_patterns if getattr(p, "name", None)]
    if wanted:
        names = [k for k in names if k in wanted]
        url_names = [k for k in url_names if k in wanted]
    result = {}
    client = Client()
    for n in (3, 10):
        seed(n)
        first = m.Post.objects.order_by("pk").first().pk
        for name in names:
            fn = getattr(cases, name)
            ContentType.objects.clear_cache()
            with CaptureQueriesContext(connection) as ctx:
                fn()
            result.setdefault(name, []).append(len(ctx.captured_queries))
        for name in url_names:
            try:
                url = reverse(name)
            except Exception:
                url = reverse(name, kwargs={"pk": first})
            ContentType.objects.clear_cache()
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            assert response.status_code == 200, (name, response.status_code)
            result.setdefault(name, []).append(len(ctx.captured_queries))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
