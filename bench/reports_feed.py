"""The HIS's report feed and a long-time patient's reports, on PostgreSQL (issue 13).

(a) **Feed.** A day of a large hospital: ``--reports`` lab reports (default 20,000) of 15 items
each, pushed through the real API (``POST /api/results/reports``, a ``reports:push`` key, the
patient by id) to ``carebridge serve`` by ``--clients`` concurrent connections. The institution
has a report-ready template, so each push also queues its outbox row, as in production (no
worker runs: sending is not the feed's cost). The baseline, in the same run and database: the
same rows (reports, versions, observations, the current pointer) written by plain
``bulk_create`` in batches of 1,000 reports, in one process. **Ratio: reports/s pushed over
reports/s bulk-inserted** (target ≥ 0.25). Every push must answer 201, and the database must
hold one report, one version and 15 observations per push afterwards. **Batches:** then as
many other reports in FHIR batch Bundles of ``--batch`` entries (``POST /api/results/reports
/batch``) by the same clients, every entry answering "201 Created", with their own ratio
against the same baseline.

(b) **The patient's pages.** One patient with 10 years of reports (``--history``, 500, pushed
through the action) and one with 25. The list (``/h5/feed/reports/``) and the newest report
(``/h5/feed/reports/<id>/``, whose items' trends look back over every earlier report) are
fetched through Django's test client in one process, signed in as the patient's WeChat
follower (the session OAuth leaves, as the results page tests make it). Queries per page must
be the same for 500 reports as for 25; **median latency against whoami's**
(``GET /api/integrations/whoami`` through the same test client, alternated round by round;
target within 3×).

The script creates and drops its own database (``carebridge_bench_reports``).

    flock /tmp/carebridge-bench.lock .venv/bin/python bench/reports_feed.py
    flock /tmp/carebridge-bench.lock .venv/bin/python bench/reports_feed.py --reports 2000
"""

import argparse
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen  # noqa: E402
from bench.common import bench_environment, manage, percentile, serve  # noqa: E402

ITEMS = 15
SETUP = """
import json
from datetime import date
from carebridge.institutions.models import Institution, WeChatAccount
from carebridge.integrations.models import ApiClient, Scope
from carebridge.patients.models import Patient
from carebridge.results.models import ResultsPolicy
from carebridge.wechat.models import Follower

cfg = json.loads({cfg!r})
hospital = Institution.objects.create(slug="feed", name="基准市第一人民医院")
account = WeChatAccount.objects.create(institution=hospital, slug="feed", name="基准服务号",
                                       account_type="service", verified=True)
ResultsPolicy.objects.create(institution=hospital, tpl_report_ready="TPL_READY")
followers = Follower.objects.bulk_create(
    Follower(account=account, openid=f"o_feed_{{i:06d}}") for i in range(cfg["patients"]))
patients = []
for i, f in enumerate(followers):
    p = Patient(owner=f, name=f"患者{{i}}", sex="female" if i % 2 else "male",
                birth_date=date(1950 + i % 50, 1 + i % 12, 1), id_type="passport",
                relation="self", is_default=True)
    p.set_id_number(f"E{{i:08d}}")
    p.set_phone("13800000000")
    patients.append(p)
Patient.objects.bulk_create(patients)
client = ApiClient(institution=hospital, name="LIS", channel="window",
                   scopes=[Scope.REPORTS_PUSH])
key = client.set_new_key()
client.save()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(json.dumps({{"key": key, "patients": [p.pk for p in patients]}}))
"""

# The same rows as the pushes, written the cheapest way the ORM offers: bulk_create.
BULK = """
import json, time
from datetime import datetime
from django.db import transaction
from carebridge.institutions.models import Institution
from carebridge.patients.models import Patient
from carebridge.results.models import Observation, Report, ReportVersion

cfg = json.loads({cfg!r})
bodies = json.load(open(cfg["bodies"]))
hospital = Institution.objects.get(slug="feed")
patients = Patient.objects.in_bulk([b["subject"]["patient_id"] for b in bodies])
start = time.perf_counter()
for first in range(0, len(bodies), 1000):
    batch = bodies[first:first + 1000]
    with transaction.atomic():
        reports = Report.objects.bulk_create(
            Report(institution=hospital, identifier="BULK-" + b["identifier"],
                   patient=patients[b["subject"]["patient_id"]], kind=b["category"],
                   title=b["code"]["text"], issued_at=datetime.fromisoformat(b["issued"]))
            for b in batch)
        versions = ReportVersion.objects.bulk_create(
            ReportVersion(report=r, version=1, status=b["status"], code=b["code"]["code"],
                          title=b["code"]["text"],
                          effective_at=datetime.fromisoformat(b["effectiveDateTime"]),
                          issued_at=datetime.fromisoformat(b["issued"]), content_hash="x" * 64,
                          released_at=datetime.fromisoformat(b["issued"]))
            for r, b in zip(reports, batch))
        for r, v in zip(reports, versions):
            r.current = v
        Report.objects.bulk_update(reports, ["current"])
        Observation.objects.bulk_create(
            Observation(version=v, position=i, code=o["code"]["code"], name=o["code"]["text"],
                        value_quantity=o["valueQuantity"]["value"],
                        unit=o["valueQuantity"]["unit"],
                        reference_ranges=[{{"type": "normal",
                                            "low": o["referenceRange"][0]["low"]["value"],
                                            "high": o["referenceRange"][0]["high"]["value"]}}],
                        flag="N")
            for v, b in zip(versions, batch) for i, o in enumerate(b["result"]))
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

CHECK = """
import json
from carebridge.outbox.models import OutboxMessage
from carebridge.results.models import Observation, Report, ReportVersion
pushed = Report.objects.filter(identifier__startswith={prefix!r})
ready = OutboxMessage.objects.filter(topic="results.report_ready")
print(json.dumps({{
    "reports": pushed.count(),
    "versions": ReportVersion.objects.filter(report__in=pushed).count(),
    "observations": Observation.objects.filter(version__report__in=pushed).count(),
    "released": pushed.filter(current__released_at__isnull=False).count(),
    "ready rows": ready.filter(
        payload__version_id__in=list(pushed.values_list("current", flat=True))).count(),
}}))
"""

# (b): the patient's pages through Django's test client, signed in as the patient's WeChat
# follower (the session OAuth would leave), timed against whoami in the same process.
READS = """
import json, statistics, time
from datetime import date, timedelta
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from carebridge.institutions.models import Institution, WeChatAccount
from carebridge.patients.models import Patient
from carebridge.results.actions import push_report
from carebridge.results.models import Report
from carebridge.results.presenting import TREND_POINTS
from carebridge.results.schemas import ReportIn
from carebridge.wechat.h5 import SESSION_KEY
from carebridge.wechat.models import Follower

cfg = json.loads({cfg!r})
hospital = Institution.objects.get(slug="feed")
account = WeChatAccount.objects.get(slug="feed")

def patient_with(n, tag):
    follower = Follower.objects.create(account=account, openid=f"o_long_{{tag}}")
    p = Patient(owner=follower, name="老病号", sex="female", birth_date=date(1960, 1, 1),
                id_type="passport", relation="self", is_default=True)
    p.set_id_number(f"L{{tag}}0000")
    p.set_phone("13800000000")
    p.save()
    first = timezone.now() - timedelta(days=3650)
    for i in range(n):
        body = json.loads(cfg["template"])
        at = first + timedelta(days=3650 * i / n)
        body.update(identifier=f"HIST-{{tag}}-{{i:04d}}", subject={{"patient_id": p.pk}},
                    effectiveDateTime=at.isoformat(), issued=(at + timedelta(hours=2)).isoformat())
        push_report(hospital, p, ReportIn.model_validate(body), now=at + timedelta(hours=2))
    return follower

started = time.perf_counter()
followers = {{"long": patient_with(cfg["history"], "a"), "short": patient_with(25, "b")}}
setup = time.perf_counter() - started
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")

def signed_in(follower):
    # What OAuth leaves in the session (wechat/h5.py sign_in), as the results page tests do.
    client = Client(SERVER_NAME="127.0.0.1")
    session = client.session
    session[SESSION_KEY] = {{"account": account.slug, "openid": follower.openid,
                            "scope": "snsapi_base", "snapshot": False}}
    session.save()
    return client

pages = {{}}
for name, follower in followers.items():
    # The newest report: every earlier one of the patient is in its items' trends.
    newest = Report.objects.filter(patient__owner=follower).order_by("-issued_at").first()
    pages[name] = (signed_in(follower), "/h5/feed/reports/", f"/h5/feed/reports/{{newest.pk}}/")
api = Client(SERVER_NAME="127.0.0.1", HTTP_X_API_KEY=cfg["key"])

def get(client, url, expect=None):
    response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    if expect:
        assert expect in response.content.decode(), (url, expect)

def whoami():
    get(api, "/api/integrations/whoami")

def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        get(client, url)
    return len(ctx.captured_queries)

# The first visit of a page also records the elder-mode offer, and the patient's first report
# page reads the share links (their number not yet settled): counted once the page is kept.
trend = f"近{{TREND_POINTS}}次"
for client, list_url, report_url in pages.values():
    get(client, list_url, "老病号")
    get(client, report_url, trend)
    get(client, report_url, trend)
whoami()
counts = {{"whoami": queries(api, "/api/integrations/whoami")}}
for name, n in (("long", cfg["history"]), ("short", 25)):
    client, list_url, report_url = pages[name]
    counts[f"list, {{n}}"] = queries(client, list_url)
    counts[f"report, {{n}}"] = queries(client, report_url)

client, list_url, report_url = pages["long"]
short_client, _, short_report = pages["short"]
timed = (("whoami", whoami), ("list", lambda: get(client, list_url)),
         ("report", lambda: get(client, report_url)),
         ("report, 25", lambda: get(short_client, short_report)))
times = {{name: [] for name, _ in timed}}
for _ in range(cfg["rounds"]):
    for name, fn in timed:
        began = time.perf_counter()
        fn()
        times[name].append(time.perf_counter() - began)
print(json.dumps({{"setup": setup, "queries": counts,
                   "median_ms": {{k: statistics.median(v) * 1000 for k, v in times.items()}}}}))
"""


def lab_body(identifier: str, patient_id: int, at: datetime) -> dict:
    """A report of ``ITEMS`` lab items, as a LIS pushes it."""
    rng = random.Random(identifier)
    return {
        "identifier": identifier,
        "meta": {"versionId": 1},
        "status": "final",
        "category": "laboratory",
        "code": {"code": "CHEM15", "text": "生化全套"},
        "subject": {"patient_id": patient_id},
        "effectiveDateTime": at.isoformat(),
        "issued": (at + timedelta(hours=2)).isoformat(),
        "performer": "检验科",
        "specimen": "静脉血",
        "result": [
            {
                "code": {"code": f"C{i:02d}", "text": f"项目{i:02d}"},
                "valueQuantity": {"value": round(rng.uniform(2, 12), 2), "unit": "mmol/L"},
                "referenceRange": [{"low": {"value": 3.0}, "high": {"value": 10.0}}],
            }
            for i in range(ITEMS)
        ],
    }


def read_pages(env, args, key: str, day: datetime) -> dict:
    """(b): the READS script in a shell of the deployment, its figures read back."""
    print("reads of a 10-year patient…", file=sys.stderr)
    reads_cfg = {
        "history": args.history,
        "rounds": args.rounds,
        "key": key,
        "template": json.dumps(lab_body("T", 0, day)),
    }
    out = manage(env, "shell", "-c", READS.format(cfg=json.dumps(reads_cfg)))
    return json.loads(out.strip().splitlines()[-1])


def pages_lines(args, reads: dict) -> list[str]:
    med, q = reads["median_ms"], reads["queries"]
    return [
        f"(b) pages through Django's test client, {'Redis' if args.redis_url else 'database'} "
        f"cache, signed in as the patient's follower: "
        f"{args.history} reports (pushed in {reads['setup']:.0f} s) against 25, "
        f"{args.rounds} rounds",
        f"  queries: {q}",
        f"  queries constant: list {q[f'list, {args.history}'] == q['list, 25']}, "
        f"report {q[f'report, {args.history}'] == q['report, 25']}",
        f"  median: whoami {med['whoami']:.2f} ms, list {med['list']:.2f} ms "
        f"({med['list'] / med['whoami']:.2f}×), report {med['report']:.2f} ms "
        f"({med['report'] / med['whoami']:.2f}×; with 25 reports {med['report, 25']:.2f} ms) "
        f"(target within 3×)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--batch", type=int, default=50, help="entries per batch Bundle")
    parser.add_argument("--history", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=300, help="timed reads of each kind")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db-name", default="carebridge_bench_reports")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--redis-url",
        default=None,
        help="the cache on Redis, as in production (default: the database)",
    )
    parser.add_argument(
        "--pages-only", action="store_true", help="skip the feed (a): only the patient's pages (b)"
    )
    args = parser.parse_args()
    database_url = urlunsplit(urlsplit(args.admin_url)._replace(path="/" + args.db_name))
    with bench_environment(database_url, args.redis_url, accounts=("feed",)) as env:
        print("migrating…", file=sys.stderr)
        manage(env, "migrate", "--no-input")
        manage(env, "createcachetable")
        cfg = {"patients": max(1, args.reports // 10)}
        data = json.loads(
            manage(env, "shell", "-c", SETUP.format(cfg=json.dumps(cfg))).strip().splitlines()[-1]
        )
        day = datetime.fromisoformat("2026-12-01T07:00:00+08:00")
        bodies = [
            lab_body(
                f"LIS-{n:07d}",
                data["patients"][n % len(data["patients"])],
                day + timedelta(seconds=n * 43200 / args.reports),
            )
            for n in range(args.reports)
        ]
        bodies_file = Path(env["CAREBRIDGE_VAR_DIR"]) / "bodies.json"
        bodies_file.write_text(json.dumps(bodies, ensure_ascii=False))
        if args.pages_only:
            reads = read_pages(env, args, data["key"], day)
            print("\n".join(pages_lines(args, reads)))
            return
        headers = {"X-Api-Key": data["key"], "Content-Type": "application/json"}
        requests = [
            (
                b["identifier"],
                loadgen.render(
                    "POST", "/api/results/reports", body=json.dumps(b).encode(), headers=headers
                ),
            )
            for b in bodies
        ]
        # The same day again as other reports (LISB-), pushed in FHIR batch Bundles.
        batched = [{**b, "identifier": "LISB-" + b["identifier"][4:]} for b in bodies]
        bundles = [
            (
                first,
                loadgen.render(
                    "POST",
                    "/api/results/reports/batch",
                    body=json.dumps(
                        {
                            "resourceType": "Bundle",
                            "type": "batch",
                            "entry": [{"resource": b} for b in batched[first : first + args.batch]],
                        }
                    ).encode(),
                    headers=headers,
                ),
            )
            for first in range(0, len(batched), args.batch)
        ]
        with serve(env, args.workers, args.threads) as url:
            print(f"server {url}; pushing {args.reports} reports…", file=sys.stderr)
            run = loadgen.load(url, requests, args.clients)
            print(f"… and {args.reports} in batches of {args.batch}…", file=sys.stderr)
            batch_run = loadgen.load(url, bundles, args.clients)
        statuses = {}
        for r in run.responses:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        entry_statuses = {}
        for r in batch_run.responses:
            entries = json.loads(r.body)["entry"] if r.status == 200 else [{"response": {}}]
            for e in entries:
                status = e["response"].get("status", f"HTTP {r.status}")
                entry_statuses[status] = entry_statuses.get(status, 0) + 1
        check = json.loads(
            manage(env, "shell", "-c", CHECK.format(prefix="LIS-")).strip().splitlines()[-1]
        )
        batch_check = json.loads(
            manage(env, "shell", "-c", CHECK.format(prefix="LISB-")).strip().splitlines()[-1]
        )
        print("bulk insert of the same rows…", file=sys.stderr)
        bulk = json.loads(
            manage(env, "shell", "-c", BULK.format(cfg=json.dumps({"bodies": str(bodies_file)})))
            .strip()
            .splitlines()[-1]
        )
        pushed_rate = args.reports / run.elapsed
        batch_rate = args.reports / batch_run.elapsed
        batch_latencies = [r.latency for r in batch_run.responses]
        bulk_rate = args.reports / bulk["seconds"]
        latencies = [r.latency for r in run.responses]
        reads = read_pages(env, args, data["key"], day)

    def complete(check):
        return (
            check["reports"] == check["versions"] == check["released"] == args.reports
            and check["observations"] == args.reports * ITEMS
            and check["ready rows"] == args.reports
        )

    ok = statuses == {201: args.reports} and complete(check)
    batch_ok = entry_statuses == {"201 Created": args.reports} and complete(batch_check)
    lines = [
        f"(a) feed: {args.reports} reports × {ITEMS} items, {args.clients} clients, "
        f"PostgreSQL, carebridge serve",
        f"  pushed through the API: {run.elapsed:.1f} s, {pushed_rate:.0f} reports/s "
        f"(p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms)",
        f"  answers {statuses}; errors {dict(run.errors)}",
        f"  read back {check}: {'ok' if ok else 'MISMATCH'}",
        f"  bulk_create of the same rows: {bulk['seconds']:.1f} s, {bulk_rate:.0f} reports/s",
        f"  ratio {pushed_rate / bulk_rate:.3f} (target ≥ 0.25)",
        f"  in batches of {args.batch} (POST /api/results/reports/batch): "
        f"{batch_run.elapsed:.1f} s, {batch_rate:.0f} reports/s "
        f"(per batch p50 {percentile(batch_latencies, 50) * 1000:.0f} ms, "
        f"p99 {percentile(batch_latencies, 99) * 1000:.0f} ms)",
        f"  entries {entry_statuses}; errors {dict(batch_run.errors)}",
        f"  read back {batch_check}: {'ok' if batch_ok else 'MISMATCH'}",
        f"  batch ratio {batch_rate / bulk_rate:.3f} (target ≥ 0.25)",
    ]
    print("\n".join(lines + pages_lines(args, reads)))
    if not (ok and batch_ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
