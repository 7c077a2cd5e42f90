"""Statements and CPU per 医院动态 request, in one process, on PostgreSQL: what ``bench/content.py``
pays per list and article request, without the HTTP server or the concurrency, against whoami.

Makes bench/content.py's largest hospital (40 departments, 5 years) in a throwaway database,
then sends ``--requests`` of each (the list: a random tab, page 1; an article: one of the 50
newest; whoami) through Django's test client, after a warm-up of each. Prints statements and CPU
milliseconds per request (this process's, and its PostgreSQL backend's); ``--profile N`` prints
the top of a cProfile of the articles (``--profile-list``: of the lists).

    .venv/bin/python bench/content_profile.py
    .venv/bin/python bench/content_profile.py --profile 30
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.booking_profile import measure  # noqa: E402
from bench.common import bench_environment  # noqa: E402
from bench.content import MAKE, WECHAT_UA  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--profile-list", action="store_true", help="profile the list instead")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key")
    parser.add_argument("--show-sql", action="store_true", help="print each page's statements")
    args = parser.parse_args()
    database_url = urlunsplit(urlsplit(args.admin_url)._replace(path="/carebridge_bench_cprof"))
    with bench_environment(database_url, accounts=("d40y5",)) as env:
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from contextlib import redirect_stdout
        from io import StringIO

        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        cfg = {"hospitals": [("d40y5", 40, 5)], "per_year": 200, "loaded": "d40y5", "hot": 50}
        out = StringIO()
        with redirect_stdout(out):
            exec(MAKE.format(cfg=json.dumps(cfg)), {})  # noqa: S102 - our own setup code
        run(args, json.loads(out.getvalue().strip().splitlines()[-1]))


def run(args, data):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_USER_AGENT=WECHAT_UA)  # as bench/content.py
    api = Client(HTTP_HOST="127.0.0.1", HTTP_X_API_KEY=data["key"])
    rng = random.Random(15)
    tabs = ["news", "notice", "education"]

    def listed():
        return client.get("/h5/d40y5/news/", {"category": rng.choice(tabs)}, secure=True)

    def article():
        return client.get(f"/h5/d40y5/news/{rng.choice(data['hot'])}/", secure=True)

    def whoami():
        return api.get("/api/integrations/whoami", secure=True)

    pages = [("whoami", whoami), ("list", listed), ("article", article)]
    for _label, call in pages:
        for _ in range(100):  # warm: templates, translations, the panels of every tab
            call()
    profiler = cProfile.Profile() if args.profile else None
    profiled = "list" if args.profile_list else "article"
    for label, call in pages:
        queries = measure(
            label, [call] * args.requests, 200, profiler if label == profiled else None
        )
        if args.show_sql:
            for q in queries:
                print("   ", q["sql"][:200])
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
