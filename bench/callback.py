"""Messages per second through the WeChat callback, safe mode, keyword reply.

Compares the full handler (/wechat/<slug>/: verify, decrypt, router, dedup receipt carrying the
reply, encrypt; the follower and customer-service window applied from the receipts by the
worker) with a minimal handler on the same server in the same run (/bench/echo/<slug>/: verify,
decrypt, echo, encrypt with the same library). The server is ``carebridge serve`` (gunicorn, its
default workers and threads) with production settings and the account's credentials in the
environment; ``carebridge worker`` runs beside it throughout, on the same cores. Phases
alternate minimal/full, then full/minimal (ABBA), so drift on the shared machine hits both
alike.

A full phase is timed twice: until its last reply ("replied"), and until the worker has also
applied every one of its receipts ("settled", the sustained rate: no backlog is left for later).
The ratio is given for both; the target is judged on the settled one.

Every reply is checked after its phase's clock stops: HTTP 200, the envelope's signature, the
decrypted text (the keyword rule's answer from the full handler, the echo from the minimal one)
and the addressee. Afterwards the database must hold exactly one receipt per message sent to
the full handler, none left pending, a follower per sender with its last interaction and its
customer-service grant. Any failure is counted and printed; the exit status is 1 if there was
one.

    .venv/bin/python bench/callback.py                      # SQLite, database cache
    .venv/bin/python bench/callback.py \\
        --database-url postgres://postgres@127.0.0.1:5432/carebridge_bench_callback \\
        --redis-url redis://127.0.0.1:6379/14   # the database is created and dropped
"""

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen  # noqa: E402
from bench.common import (  # noqa: E402
    SERVE_THREADS,
    SERVE_WORKERS,
    Backlog,
    bench_environment,
    cpu_seconds,
    manage,
    percentile,
    serve,
    worker,
)
from carebridge.wechat import callback, xml  # noqa: E402
from carebridge.wechat.credentials import sandbox_credentials  # noqa: E402

SLUG = "bench"
KEYWORD, ANSWER = "挂号", "请点击菜单「就医服务 → 预约挂号」，选择科室和医生即可预约。"
# A realistic rule set: the keyword is one of many. Nine "contains" rules rank above it, so the
# router scans them before settling on the exact hit; a default reply would betray a miss.
SETUP = f"""
from carebridge.institutions.models import Institution, WeChatAccount
from carebridge.wechat.models import AutoReply
hospital = Institution.objects.create(slug="bench", name="基准医院")
account = WeChatAccount.objects.create(institution=hospital, slug="{SLUG}", name="基准服务号",
                                       original_id="gh_bench000001")
for n in range(20):
    AutoReply.objects.create(account=account, trigger="keyword", match_type="contains",
                             pattern=f"无关词{{n}}", text="x", priority=n)
AutoReply.objects.create(account=account, trigger="keyword", match_type="regex",
                         pattern=r"^报告\\s*\\d+$", text="y", priority=15)
AutoReply.objects.create(account=account, trigger="keyword", match_type="exact",
                         pattern="{KEYWORD}", text="{ANSWER}", priority=10)
AutoReply.objects.create(account=account, trigger="default", text="默认回复")
AutoReply.objects.create(account=account, trigger="subscribe", text="欢迎关注")
"""
READ_BACK = f"""
import json
from carebridge.wechat.models import CallbackReceipt, CsGrant, Follower
receipts = CallbackReceipt.objects.filter(account__slug="{SLUG}")
print(json.dumps({{
    "receipts": receipts.count(),
    "distinct_keys": receipts.values("dedup_key").distinct().count(),
    "unanswered": receipts.filter(reply=None).count(),
    "pending": receipts.filter(pending=True).count(),
    "followers": Follower.objects.filter(account__slug="{SLUG}").count(),
    "interacted": Follower.objects.filter(
        account__slug="{SLUG}", subscribed=True, last_interaction_at__isnull=False
    ).count(),
    "grants": CsGrant.objects.filter(follower__account__slug="{SLUG}", kind="message").count(),
}}))
"""
PATHS = {"minimal": f"/bench/echo/{SLUG}/", "full": f"/wechat/{SLUG}/"}
CREDS = sandbox_credentials(SLUG)
msg_ids = itertools.count(int(time.time()) * 1000)


def requests_for(handler: str, n: int, users: int) -> list[tuple[tuple, bytes]]:
    """``n`` signed, encrypted text messages from ``users`` senders, stamped now; each tagged
    with (sender, the reply text expected)."""
    expected = ANSWER if handler == "full" else KEYWORD
    built = []
    for i in range(n):
        openid = f"o_bench_user_{i % users:06d}"
        message = xml.render(
            {
                "ToUserName": "gh_bench000001",
                "FromUserName": openid,
                "CreateTime": int(time.time()),
                "MsgType": "text",
                "Content": KEYWORD,
                "MsgId": next(msg_ids),
            }
        )
        params, body = callback.sign_request(CREDS, message, encrypted=True)
        raw = loadgen.render(
            "POST", PATHS[handler], params, body, {"Content-Type": "text/xml; charset=utf-8"}
        )
        built.append(((openid, expected), raw))
    return built


def check(run: loadgen.Run) -> dict[str, int]:
    """Failures by kind: transport errors, non-200 answers, replies that are not the expected
    text to the expected user (or whose signature does not verify)."""
    failures = dict(run.errors)
    for r in run.responses:
        if r.error:
            continue
        if r.status != 200:
            failures[f"HTTP {r.status}"] = failures.get(f"HTTP {r.status}", 0) + 1
            continue
        openid, expected = r.tag
        try:
            reply = callback.open_reply(CREDS, r.body.decode())
            ok = reply.get("Content") == expected and reply.get("ToUserName") == openid
            kind = "wrong reply"
        except Exception as exc:  # a reply we cannot open is a failure like any other
            ok, kind = False, f"bad reply ({type(exc).__name__})"
        if not ok:
            failures[kind] = failures.get(kind, 0) + 1
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="per phase")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="each round: one phase of each")
    parser.add_argument("--users", type=int, default=1000, help="distinct senders")
    parser.add_argument("--workers", type=int, default=SERVE_WORKERS, help="carebridge serve's")
    parser.add_argument("--threads", type=int, default=SERVE_THREADS, help="carebridge serve's")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL database carebridge_bench*, created and dropped; default: SQLite",
    )
    parser.add_argument("--redis-url", default=None, help="default: the database cache")
    args = parser.parse_args()

    phases = {"minimal": [], "full": []}
    full_sent = 0
    environment = bench_environment(
        args.database_url, args.redis_url, accounts=(SLUG,), settings="bench.settings"
    )
    with environment as env:
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        manage(env, "shell", "-c", SETUP)
        backlog = Backlog(env, "SELECT count(*) FROM wechat_callbackreceipt WHERE pending")
        with serve(env, args.workers, args.threads) as base, worker(env) as proc:
            for handler in PATHS:  # warm up: imports, connections, the compiled rules
                warm = loadgen.load(base, requests_for(handler, 400, 50), args.concurrency)
                full_sent += len(warm.responses) if handler == "full" else 0
                if check(warm):
                    raise SystemExit(f"warm-up of {handler} failed: {check(warm)}")
            backlog.drained()
            for round_no in range(args.rounds):
                order = ("minimal", "full") if round_no % 2 == 0 else ("full", "minimal")
                for handler in order:
                    batch = requests_for(handler, args.messages, args.users)
                    worker_cpu = cpu_seconds(proc.pid)
                    run = loadgen.load(base, batch, args.concurrency)
                    left = backlog.count()
                    # The worker's catch-up belongs to the full phase: its clock runs on.
                    settled = run.elapsed + backlog.drained()
                    worker_cpu = cpu_seconds(proc.pid) - worker_cpu
                    failures = check(run)
                    full_sent += len(run.responses) if handler == "full" else 0
                    phases[handler].append((run, failures, settled))
                    lat = [r.latency for r in run.responses]
                    print(
                        f"round {round_no + 1} {handler:8s} "
                        f"{len(run.responses) / run.elapsed:7.1f} msg/s replied, "
                        f"{len(run.responses) / settled:7.1f} settled "
                        f"({left} pending at the last reply; worker CPU "
                        f"{worker_cpu * 1e6 / len(run.responses):.0f} us/msg)  "
                        f"p50 {percentile(lat, 50) * 1000:6.0f} ms  "
                        f"p99 {percentile(lat, 99) * 1000:6.0f} ms  "
                        f"failures {sum(failures.values())} {failures or ''}  "
                        f"(client CPU {run.client_cpu / run.elapsed:.0%} of a core)",
                        flush=True,
                    )
        stored = json.loads(manage(env, "shell", "-c", READ_BACK).strip().splitlines()[-1])

    report(args, phases, stored, full_sent)


def report(args, phases, stored, full_sent):
    def figures(handler):
        runs = [run for run, _, _ in phases[handler]]
        sent = sum(len(run.responses) for run in runs)
        lat = [r.latency for run in runs for r in run.responses]
        return {
            "rate": sent / sum(run.elapsed for run in runs),
            "settled": sent / sum(settled for _, _, settled in phases[handler]),
            "p50": percentile(lat, 50) * 1000,
            "p99": percentile(lat, 99) * 1000,
            "failures": sum(sum(f.values()) for _, f, _ in phases[handler]),
        }

    full, minimal = figures("full"), figures("minimal")
    per_round = [
        len(f.responses) / f_settled / (len(m.responses) / m.elapsed)
        for (f, _, f_settled), (m, _, _) in zip(phases["full"], phases["minimal"], strict=True)
    ]
    db_ok = (
        stored["receipts"] == full_sent
        and stored["distinct_keys"] == full_sent
        and stored["unanswered"] == 0
        and stored["pending"] == 0
        and stored["followers"] == stored["interacted"] == stored["grants"] == args.users
    )
    database = "PostgreSQL" if args.database_url else "SQLite"
    cache = "Redis" if args.redis_url else "database"
    print(
        f"\n{database}, {cache} cache; carebridge serve, {args.workers} workers x {args.threads} "
        f"threads; "
        f"concurrency {args.concurrency}; {args.messages} messages a phase from {args.users} "
        f"senders; {args.rounds} rounds (ABBA)"
    )
    for name, f in (("full handler", full), ("minimal handler", minimal)):
        print(
            f"{name:16s} {f['rate']:7.1f} msg/s replied, {f['settled']:7.1f} settled  "
            f"p50 {f['p50']:6.0f} ms  p99 {f['p99']:6.0f} ms  failures {f['failures']}"
        )
    print(
        f"ratio full/minimal, settled {full['settled'] / minimal['rate']:.2f} (target >= 0.70; "
        f"replied {full['rate'] / minimal['rate']:.2f}); settled per round "
        + ", ".join(f"{r:.2f}" for r in per_round)
    )
    print(f"full handler p99 {full['p99']:.0f} ms (WeChat gives 5000 ms)")
    print(
        f"read back: {stored['receipts']} receipts for {full_sent} messages sent to the full "
        f"handler, {stored['unanswered']} without a reply, {stored['pending']} pending; "
        f"{stored['followers']} followers for {args.users} senders, {stored['interacted']} with "
        f"their last interaction, {stored['grants']} message grants "
        f"-> {'ok' if db_ok else 'MISMATCH'}"
    )
    if full["failures"] or minimal["failures"] or not db_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
