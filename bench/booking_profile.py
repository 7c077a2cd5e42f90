"""Statements and CPU per booking request, in one process, on PostgreSQL: what the booking rush
pays per request, without the HTTP server or the concurrency.

Sets up the rush's data (bench/booking_rush.py) in a throwaway database, then sends, through
Django's test client, ``--requests`` bookings (each a new patient into the 300-place clinic),
as many refused bookings (the same patients again: ``already_booked``), bookings refused
``sold_out`` (the 30-place expert session, filled first: most of a rush's answers), and as many
whoami calls. Prints statements and CPU milliseconds per request for each (this process's, and its
PostgreSQL backend's), and with ``--profile`` the top of a cProfile of the successful bookings.
With ``--worker`` it also drains the outbox after the bookings and reports the worker's
statements and CPU per confirmation.

    .venv/bin/python bench/booking_profile.py
    .venv/bin/python bench/booking_profile.py --profile 25
"""

import argparse
import cProfile
import itertools
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.booking_rush import SETUP  # noqa: E402
from bench.common import bench_environment  # noqa: E402


def measure(label, calls, expect, profiler=None):
    """Run each call under CaptureQueriesContext; print statements and CPU per call. Returns the
    last call's queries."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    statements = 0
    cpu = 0.0
    server_before = server_cpu()
    for call in calls:
        # Django keeps the last 9,000 queries: once that log is full, a count of its growth
        # reads 0 (it did from about 3,000 requests on).
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            if profiler:
                profiler.enable()
            response = call()
            if profiler:
                profiler.disable()
            cpu += time.process_time() - start
        if response.status_code != expect:
            raise SystemExit(f"{label}: HTTP {response.status_code} {response.content[:300]!r}")
        statements += len(queries)
    n = len(calls)
    server = (server_cpu() - server_before) / n * 1000
    print(
        f"{label}: {statements / n:.1f} statements, {cpu / n * 1000:.2f} ms CPU per request"
        f" (+ PostgreSQL {server:.2f} ms)"
    )
    return queries


def server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend process (it runs on the
    same machine, so its /proc entry is readable)."""
    from django.db import connection

    from bench.common import cpu_seconds

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cpu_seconds(cursor.fetchone()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument(
        "--profile-refused", action="store_true", help="profile the refused bookings instead"
    )
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key")
    parser.add_argument("--show-sql", action="store_true", help="print one booking's statements")
    parser.add_argument("--worker", action="store_true", help="also measure the outbox worker")
    parser.add_argument(
        "--redis-url", default=None, help="the cache, as in production (default: the database)"
    )
    args = parser.parse_args()
    database_url = urlunsplit(urlsplit(args.admin_url)._replace(path="/carebridge_bench_profile"))
    with bench_environment(database_url, args.redis_url, accounts=("rush",)) as env:
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        cfg = {
            "release_at": time.time() - 60,
            "expert": 30,
            # One place more than the bookings: the pool never fills, so the refusals that
            # follow are already_booked (a full pool would answer them sold_out).
            "clinic": max(300, args.requests + 1),
            "clients": args.requests,
            "messages": True,
        }
        from contextlib import redirect_stdout
        from io import StringIO

        out = StringIO()
        with redirect_stdout(out):
            exec(SETUP.format(cfg=json.dumps(cfg)), {})  # noqa: S102 - our own setup code
        data = json.loads(out.getvalue().strip().splitlines()[-1])
        run(args, data)


def run(args, data):
    from django.db import connection, reset_queries
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_API_KEY=data["key"])
    clinic = data["sessions"][1]

    def book(pid, session=clinic):
        body = json.dumps({"session_id": session, "patient": {"patient_id": pid}})
        return lambda: client.post(
            "/api/booking/appointments", body, content_type="application/json"
        )

    whoami = lambda: client.get("/api/integrations/whoami")  # noqa: E731
    measure("warm-up whoami", [whoami] * 20, 200)
    patients = data["patients"][: args.requests]
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    booked = measure(
        "booking (201)",
        [book(p) for p in patients],
        201,
        profiler=None if args.profile_refused else profiler,
    )
    refused = measure(
        "booking refused (409 already_booked)",
        [book(p) for p in patients],
        409,
        profiler=profiler if args.profile_refused else None,
    )
    # Most of a rush's requests come after the pools are full: fill the expert's 30 places,
    # then ask again for the other patients.
    expert = data["sessions"][0]
    if len(patients) > 30:
        measure("filling the expert session (201)", [book(p, expert) for p in patients[:30]], 201)
        measure("booking sold out (409)", [book(p, expert) for p in patients[30:]], 409)
    measure("whoami", [whoami] * args.requests, 200)
    if args.show_sql:
        for q in (refused if args.profile_refused else booked).captured_queries:
            print("   ", q["sql"][:200])
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)
    if args.worker:
        measure_worker(len(patients))
    reset_queries()
    connection.close()


# The rows ``carebridge worker`` looks at per pass (``worker.run_once``'s default limit).
WORKER_PASS = 50


def measure_worker(booked):
    """The worker's statements and CPU per booking: writing the confirmations, then delivering
    them (WeChat's answer stubbed: no network), in the passes ``carebridge worker`` makes
    (``worker.run_once``: a SELECT of what is due, then each row, or each batch of a batch
    topic, claimed and run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from carebridge.outbox import worker
    from carebridge.outbox.models import OutboxMessage
    from carebridge.wechat import client as wechat_client
    from carebridge.wechat import tokens

    msgids = itertools.count(1)  # WeChat answers each message with a msgid of its own

    def post(self, path, json=None, params=None):
        return {"errcode": 0, "errmsg": "ok", "msgid": next(msgids)}

    wechat_client.WeChatClient.post = post
    tokens.fetch_access_token = lambda creds, force_refresh=False: ("t" * 512, 7200)
    for topic in ("booking.confirmed", "wechat.template"):
        rows = OutboxMessage.objects.filter(topic=topic, status="pending").count()
        left = rows
        with CaptureQueriesContext(connection) as queries:
            start = time.process_time()
            while left:
                # The topics' rows follow one another by id: a last pass no larger than what is
                # left of this topic keeps the next topic's rows out of this topic's figures.
                done = worker.run_once("profile", limit=min(WORKER_PASS, left))
                if not done:
                    break
                left -= done
            cpu = time.process_time() - start
        unsent = OutboxMessage.objects.filter(topic=topic).exclude(status="sent").count()
        if left or unsent:
            raise SystemExit(f"worker, {topic}: {left} rows not run, {unsent} not sent")
        print(
            f"worker, {topic}: {rows} rows, {len(queries) / max(rows, 1):.1f} "
            f"statements, {cpu / max(rows, 1) * 1000:.2f} ms CPU per row"
        )
    with CaptureQueriesContext(connection) as queries:
        start = time.process_time()
        worker.run_once()
        worker.sweep_once() if hasattr(worker, "sweep_once") else None
        cpu = time.process_time() - start
    print(f"worker, an idle pass: {len(queries)} statements, {cpu * 1000:.2f} ms CPU")


if __name__ == "__main__":
    main()
