"""医院动态 under the release-rush concurrency, and operations' progress page as a hospital grows.

(a) Over HTTP against ``carebridge serve`` on PostgreSQL, a hospital of 40 departments with 5
years of articles (``--per-year`` published a year, as seed 000's busiest accounts; every
workflow state besides): ``--clients`` concurrent keep-alive clients (500, as the booking rush)
read the article list (a tab, page 1 of 15) and articles (each read counted), then
the cheapest authenticated endpoint (``GET /api/integrations/whoami``) before and after, at the
same concurrency. **Ratio: requests/s of each page against the mean of the two whoami phases**
(target: at least 0.5, "within 2×"). Every answer must be 200 with the page's text.

(b) The progress page (``/admin/content/article/progress/``, the xlsx too) through Django's
test client, signed in as operations, for hospitals of 4 and 40 departments with 1 and 5 years
of articles and reviews: queries per page (target: the same for all four) and median latency.

The script creates its own PostgreSQL database (dropped at the end), migrates it, makes the
data, starts the server as a subprocess on a free loopback port and stops it.

    flock /tmp/carebridge-bench.lock .venv/bin/python bench/content.py
    flock /tmp/carebridge-bench.lock .venv/bin/python bench/content.py --requests 2000 --clients 200
"""

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen  # noqa: E402
from bench.common import bench_environment, manage, percentile, serve  # noqa: E402

# WeChat's in-app browser on an Android phone, as its H5 pages see it.
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/111.0.5563.116 Mobile Safari/537.36 MicroMessenger/8.0.49.2600(0x28003133) "
    "NetType/WIFI Language/zh_CN"
)
# Makes one hospital of ``departments`` departments and ``years`` years of articles; prints its
# key, an article id of each of the newest ``hot`` articles and the table sizes.
MAKE = """
import json, random
from datetime import timedelta
from decimal import Decimal
from django.db import connection
from django.utils import timezone
from carebridge.content.models import Article, ArticleVersion, Review
from carebridge.institutions.models import Campus, Department, Institution, WeChatAccount
from carebridge.integrations.models import ApiClient

cfg = json.loads({cfg!r})
KINDS = [("education", "health")] * 11 + [("news", "operations")] * 5 + [("notice", "notices")] * 2
KINDS += [("roster", "notices"), ("news", "administration")]

def hospital(slug, departments, years, per_year):
    rng = random.Random(slug)
    inst = Institution.objects.create(slug=slug, name=f"基准医院{{slug}}")
    WeChatAccount.objects.create(institution=inst, slug=slug, name="基准服务号",
                                 account_type="service", verified=True)
    campus = Campus.objects.create(institution=inst, name="本部", address="人民路1号",
                                   latitude=31.2, longitude=121.4)
    depts = Department.objects.bulk_create(
        Department(institution=inst, campus=campus, name=f"科室{{i:02d}}", position=i)
        for i in range(departments))
    now = timezone.now()
    body = "<p>" + "冬季注意保暖，合理膳食，适量运动，按时服药。" * 40 + "</p>"
    articles = []
    for n in range(years * per_year):
        kind, category = rng.choice(KINDS)
        when = now - timedelta(days=365 * years * n / (years * per_year))
        articles.append(Article(
            institution=inst, kind=kind, category=category, department=rng.choice(depts),
            title=f"{{kind}} 第{{n}}篇：冬季养生", summary="冬季养生要点", body=body,
            author="科室", state="published", is_published=True, published_at=when,
            reads=rng.randrange(50, 5000), likes=rng.randrange(0, 200)))
    for i, state in enumerate(["draft", "proofreading", "reviewing", "scheduled"] * departments):
        articles.append(Article(
            institution=inst, kind="education", category="health",
            department=depts[i % departments], title=f"在写的稿件{{i}}", body=body, state=state,
            due_at=now + timedelta(days=rng.randrange(-10, 20))))
    articles = Article.objects.bulk_create(articles, batch_size=500)
    published = [a for a in articles if a.is_published]
    versions = ArticleVersion.objects.bulk_create(
        (ArticleVersion(article=a, number=1, title=a.title, body=a.body, created_at=a.published_at)
         for a in published), batch_size=500)
    Review.objects.bulk_create(
        (Review(article=a, version=v, score=Decimal(rng.randrange(550, 1000)) / 10,
                on_time=rng.random() < 0.8, created_at=a.published_at - timedelta(hours=2))
         for a, v in zip(published, versions)), batch_size=500)
    return inst, published

out = {{}}
for slug, departments, years in cfg["hospitals"]:
    inst, published = hospital(slug, departments, years, cfg["per_year"])
    out[slug] = {{"articles": Article.objects.filter(institution=inst).count()}}
    if slug == cfg["loaded"]:
        client = ApiClient(institution=inst, name="基准", channel="window", scopes=[])
        out["key"] = client.set_new_key()
        client.save()
        shown = [a for a in published if a.kind in ("news", "notice", "education", "roster")]
        out["hot"] = [a.pk for a in shown[: cfg["hot"]]]
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(json.dumps(out))
"""

# (b): the progress page of each hospital, its queries and median time; whoami's for scale.
PROGRESS = """
import json, statistics, time
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

cfg = json.loads({cfg!r})
User = get_user_model()
boss = User.objects.create_superuser("bench_ops", "ops@example.cn", "bench-pw-123456")
client = Client(SERVER_NAME="127.0.0.1")
client.force_login(boss)
api = Client(SERVER_NAME="127.0.0.1", HTTP_X_API_KEY=cfg["key"])
month = timezone.localdate().strftime("%Y-%m")
from carebridge.institutions.models import Institution

def get(c, url, params=None, expect=None):
    response = c.get(url, params or {{}}, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    if expect:
        assert expect in response.content.decode(), (url, expect)

def page(slug, xlsx=False):
    inst = Institution.objects.get(slug=slug)
    url = "/admin/content/article/progress" + (".xlsx" if xlsx else "/")
    return lambda: get(client, url, {{"month": month, "institution": inst.pk}},
                       None if xlsx else "科室39" if slug.startswith("d40") else "科室03")

def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)

timed = [("whoami", lambda: get(api, "/api/integrations/whoami"))]
for slug, _d, _y in cfg["hospitals"]:
    timed.append((slug, page(slug)))
    timed.append((slug + " xlsx", page(slug, xlsx=True)))
for _name, fn in timed:
    fn()  # warm: the first request of a kind loads templates and translations
counts = {{name: queries(fn) for name, fn in timed}}
times = {{name: [] for name, _ in timed}}
for _ in range(cfg["rounds"]):
    for name, fn in timed:
        began = time.perf_counter()
        fn()
        times[name].append(time.perf_counter() - began)
print(json.dumps({{"queries": counts,
                   "median_ms": {{k: statistics.median(v) * 1000 for k, v in times.items()}}}}))
"""


def phase(url, name, requests, clients, expect: bytes | tuple[bytes, ...]) -> dict:
    """``requests`` at ``clients`` concurrency; an answer is wrong unless it is a 200 holding
    every one of ``expect``."""
    run = loadgen.load(url, requests, clients)
    statuses = Counter(r.status for r in run.responses)
    wanted = expect if isinstance(expect, tuple) else (expect,)
    bad = sum(1 for r in run.responses if r.status != 200 or not all(e in r.body for e in wanted))
    latencies = [r.latency for r in run.responses]
    return {
        "name": name,
        "n": len(run.responses),
        "rate": len(run.responses) / run.elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "statuses": dict(statuses),
        "errors": dict(Counter(r.error for r in run.responses if r.error)),
        "bad": bad,
    }


def line(p: dict, whoami: float | None = None) -> str:
    ratio = f", ratio {p['rate'] / whoami:.2f}" if whoami else ""
    return (
        f"  {p['name']}: {p['n']} requests, {p['rate']:.0f}/s, p50 {p['p50']:.0f} ms, "
        f"p99 {p['p99']:.0f} ms{ratio}; statuses {p['statuses']}, errors {p['errors']}, "
        f"wrong answers {p['bad']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--requests", type=int, default=5000, help="per phase")
    parser.add_argument("--per-year", type=int, default=200, help="articles published a year")
    parser.add_argument("--hot", type=int, default=50, help="articles the readers pick from")
    parser.add_argument("--rounds", type=int, default=50, help="timed progress pages of each")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db-name", default="carebridge_bench_content")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--redis-url",
        default=None,
        help="the cache on Redis, as in production (default: the database)",
    )
    args = parser.parse_args()
    hospitals = [("d4y1", 4, 1), ("d40y1", 40, 1), ("d4y5", 4, 5), ("d40y5", 40, 5)]
    database_url = urlunsplit(urlsplit(args.admin_url)._replace(path="/" + args.db_name))
    slugs = tuple(slug for slug, _d, _y in hospitals)
    with bench_environment(database_url, args.redis_url, accounts=slugs) as env:
        print("migrating…", file=sys.stderr)
        manage(env, "migrate", "--no-input")
        manage(env, "createcachetable")
        cfg = {"hospitals": hospitals, "per_year": args.per_year, "loaded": "d40y5",
               "hot": args.hot}  # fmt: skip
        print("making 4 hospitals' articles…", file=sys.stderr)
        made = manage(env, "shell", "-c", MAKE.format(cfg=json.dumps(cfg)))
        data = json.loads(made.strip().splitlines()[-1])
        rng = random.Random(15)
        key = {"X-Api-Key": data["key"]}
        tabs = ["news", "notice", "education"]
        # Patients read in WeChat's browser: its user agent, so an article draws its share
        # card and loads the JS-SDK as it does for them.
        wechat = {"User-Agent": WECHAT_UA}
        lists = [
            (i, loadgen.render("GET", "/h5/d40y5/news/", {"category": tab}, headers=wechat))
            for i, tab in enumerate(rng.choice(tabs) for _ in range(args.requests))
        ]
        details = [
            (i, loadgen.render("GET", f"/h5/d40y5/news/{rng.choice(data['hot'])}/", headers=wechat))
            for i in range(args.requests)
        ]
        whoamis = [
            (i, loadgen.render("GET", "/api/integrations/whoami", headers=key))
            for i in range(args.requests)
        ]
        with serve(env, args.workers, args.threads) as url:
            print(f"server {url}; {args.clients} clients…", file=sys.stderr)
            # Untimed: the workers' first requests load code, templates and translations.
            warm = args.clients * 2
            for requests in (whoamis, lists, details):
                loadgen.load(url, requests[:warm], args.clients)
            before = phase(url, "whoami, before", whoamis, args.clients, b"d40y5")
            listed = phase(url, "list", lists, args.clients, "冬季养生".encode())
            read = phase(url, "article", details, args.clients, ("阅读".encode(), b"jweixin"))
            after = phase(url, "whoami, after", whoamis, args.clients, b"d40y5")
        print("progress pages…", file=sys.stderr)
        pcfg = {"hospitals": hospitals, "key": data["key"], "rounds": args.rounds}
        shown = manage(env, "shell", "-c", PROGRESS.format(cfg=json.dumps(pcfg)))
        progress = json.loads(shown.strip().splitlines()[-1])
    whoami = (before["rate"] + after["rate"]) / 2
    sizes = ", ".join(f"{slug} {data[slug]['articles']}" for slug in slugs)
    cache = "Redis" if args.redis_url else "database"
    print(f"(a) {args.clients} clients, PostgreSQL, {cache} cache, articles per hospital: {sizes}")
    for p in (before, listed, read, after):
        print(line(p, None if p["name"].startswith("whoami") else whoami))
    print(f"  target: list and article at least 0.5 of whoami ({whoami:.0f}/s)")
    q, med = progress["queries"], progress["median_ms"]
    print(f"(b) progress page through the test client, {args.rounds} rounds; queries: {q}")
    pages = [q[slug] for slug in slugs]
    xlsx = len({q[s + " xlsx"] for s in slugs}) == 1
    print(f"  queries constant: {len(set(pages)) == 1} ({pages}); xlsx {xlsx}")
    print("  median ms: " + ", ".join(f"{k} {v:.1f}" for k, v in med.items()))


if __name__ == "__main__":
    main()
