"""CPU and statements per WeChat Pay notification, in one process, on PostgreSQL: what
bench/payments.py's two handlers pay per request, without the HTTP server or the concurrency.

Sets up the payments bench's data (bench/payments.py) in a throwaway database, then sends,
through Django's test client, ``--requests`` notifications to the verify-only handler, as many
first deliveries to the real notify_url, and as many replays of them. Prints statements and CPU
milliseconds per request for each (this process's, and its PostgreSQL backend's), and with
``--profile N`` the top of a cProfile of the first deliveries (``--profile-replays``: of the
replays).

    .venv/bin/python bench/payments_profile.py
    .venv/bin/python bench/payments_profile.py --profile 30 --sort tottime
"""

import argparse
import cProfile
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from bench.booking_profile import measure  # noqa: E402
from bench.common import bench_environment  # noqa: E402
from bench.payments import MCHID, Signer, setup_script  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--profile-replays", action="store_true", help="profile the replays")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key")
    parser.add_argument("--show-sql", action="store_true", help="print one delivery's statements")
    parser.add_argument(
        "--redis-url", default=None, help="the cache, as in production (default: the database)"
    )
    args = parser.parse_args()
    database_url = urlunsplit(urlsplit(args.admin_url)._replace(path="/carebridge_bench_pprofile"))
    platform_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    apiv3_key = secrets.token_hex(16)
    environment = bench_environment(
        database_url, args.redis_url, accounts=("bench",), settings="bench.settings"
    )
    with environment as env:
        os.environ.clear()
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        # Two "runs" of orders: the warm-up's and the measured ones.
        exec(setup_script(platform_key, apiv3_key, args.requests, 2), {})  # noqa: S102
        run(args, Signer(platform_key, apiv3_key))


def run(args, signer):
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")

    def post(path, out_trade_no):
        _, body, headers = signer.notification(out_trade_no)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        return lambda: client.post(path, body, content_type="application/json", **extra)

    verify, full = f"/bench/wxpay/verify/{MCHID}/", f"/billing/wxpay/notify/{MCHID}/"
    warm = [post(full, f"BENCH1N{i:07d}") for i in range(min(50, args.requests))]
    measure("warm-up", warm + [post(verify, "BENCH1N0000000")] * 50, 204)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    n = args.requests

    def profiler_for(replays):
        return profiler if replays == args.profile_replays else None

    measure("verify-only", [post(verify, f"BENCH0N{i:07d}") for i in range(n)], 204)
    firsts = [post(full, f"BENCH0N{i:07d}") for i in range(n)]
    # The statements are read at once: the next measure() empties the log they are in.
    first = [q["sql"] for q in measure("full, first delivery", firsts, 204, profiler_for(False))]
    replayed = [q["sql"] for q in measure("full, replay", firsts, 204, profiler_for(True))]
    measure("verify-only again", [post(verify, f"BENCH0N{i:07d}") for i in range(n)], 204)
    if args.show_sql:
        for sql in replayed if args.profile_replays else first:
            print("   ", sql[:300])
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)
    connection.close()


if __name__ == "__main__":
    main()
