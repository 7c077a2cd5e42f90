"""The booking rush at release time, over HTTP against ``carebridge serve`` on PostgreSQL.

N concurrent clients (default 500) wait for the release instant, then each books a hot expert's
session (30 slots) and a popular clinic (300 slots) through the JSON API with a phone-centre key
(``POST /api/booking/appointments``, X-Api-Key; the patient by id), retrying while the server
still says "not released". The same clients then call the cheapest authenticated endpoint
(``GET /api/integrations/whoami``) for comparison, in the same run on the same server.

Reports successful bookings/s, booking requests/s, p50/p99 latency, the oversell count read
back from the database (must be 0) and the throughput ratio against whoami.

The script creates its own PostgreSQL database (dropped at the end), migrates it, creates the
data, starts the server as a subprocess on a free loopback port and stops it.

    .venv/bin/python bench/booking_rush.py
    .venv/bin/python bench/booking_rush.py --clients 200 --admin-url postgres://postgres@127.0.0.1:5432/postgres
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CARECLI = [sys.executable, "-c", "from carebridge.cli import main; main()"]

SETUP = """
import json, secrets
from datetime import date, datetime, time, timedelta
from django.utils import timezone
from carebridge.booking.actions import create_session
from carebridge.booking.models import BookingPolicy
from carebridge.institutions.models import Campus, Department, Doctor, Institution, WeChatAccount
from carebridge.integrations.models import ApiClient
from carebridge.patients.models import Patient
from carebridge.wechat.models import Follower

cfg = json.loads({cfg!r})
release = datetime.fromtimestamp(cfg["release_at"], tz=timezone.get_current_timezone())
visit_day = release.date() + timedelta(days=7)
hospital = Institution.objects.create(slug="rush", name="基准儿童医院")
account = WeChatAccount.objects.create(institution=hospital, slug="rush", name="基准服务号")
BookingPolicy.objects.create(
    institution=hospital, release_days_ahead=7,
    release_time=release.time().replace(microsecond=0),
    tpl_booking_confirmed="TPL_BOOKED" if cfg["messages"] else "",
)
campus = Campus.objects.create(institution=hospital, name="本部", address="x", latitude=31,
                               longitude=121)
dept = Department.objects.create(institution=hospital, campus=campus, name="儿内科")
expert = Doctor.objects.create(institution=hospital, name="名医", title="主任医师")
expert.departments.add(dept)
sessions = [
    create_session(institution=hospital, department=dept, doctor=expert, date=visit_day,
                   period="morning", clinic_type="expert", start_time=time(8),
                   end_time=time(11, 30), fee=5000, capacity=cfg["expert"],
                   quota_phone=cfg["expert"]),
    create_session(institution=hospital, department=dept, doctor=None, date=visit_day,
                   period="afternoon", start_time=time(13, 30), end_time=time(17), fee=1400,
                   capacity=cfg["clinic"], quota_phone=cfg["clinic"]),
]
followers = Follower.objects.bulk_create(
    Follower(account=account, openid=f"o_rush_{{i:06d}}") for i in range(cfg["clients"]))
patients = []
for i, f in enumerate(followers):
    p = Patient(owner=f, name=f"患者{{i}}", sex="female", birth_date=date(2015, 1, 1),
                id_type="passport", relation="child", is_default=True)
    p.set_id_number(f"E{{i:08d}}")
    p.set_phone("13800000000")
    patients.append(p)
Patient.objects.bulk_create(patients)
client = ApiClient(institution=hospital, name="电话预约中心", channel="phone")
key = client.set_new_key()
client.save()
print(json.dumps({{"key": key, "sessions": [s.pk for s in sessions],
                   "patients": list(Patient.objects.order_by("id").values_list("id", flat=True)),
                   "release_at": release.isoformat()}}))
"""

CHECK = """
import json
from django.db.models import Count, F
from carebridge.booking.models import HOLDING, Appointment, ClinicSession, SessionQuota, Slot
out = {{}}
for s in ClinicSession.objects.filter(pk__in={ids!r}):
    holding = Appointment.objects.filter(session=s, status__in=HOLDING)
    per_slot = holding.values("slot").annotate(n=Count("id")).filter(n__gt=1).count()
    out[s.pk] = {{
        "capacity": s.capacity,
        "holding": holding.count(),
        "slots_booked": Slot.objects.filter(session=s, booked__gt=0).count(),
        "slots_over": Slot.objects.filter(session=s, booked__gt=F("capacity")).count(),
        "pools_over": SessionQuota.objects.filter(session=s, booked__gt=F("capacity")).count(),
        "double_booked_slots": per_slot,
        "person_twice": holding.values("person_key").annotate(n=Count("id"))
            .filter(n__gt=1).count(),
    }}
print(json.dumps(out))
"""


def run(env, args, check=True) -> str:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"{' '.join(args[:4])}… failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextmanager
def database(admin_url: str, name: str):
    """A fresh database ``name`` on the server of ``admin_url``, dropped afterwards."""
    import psycopg

    def execute(sql):
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(env, workers: int, threads: int):
    """``carebridge serve`` (gunicorn, production settings) on a free loopback port."""
    port = free_port()
    env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers),
        "WEB_THREADS": str(threads),
    }
    proc = subprocess.Popen(
        [
            *CARECLI,
            "serve",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url + "/api/health", timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


async def rush(url, key, sessions, patients, release_at: float, deadline_s: float):
    """Every client books each session (in random order) from the release instant."""
    results = []  # (session_id, status code, body code, latency, finished at)
    limits = httpx.Limits(max_connections=len(patients), max_keepalive_connections=len(patients))
    async with httpx.AsyncClient(
        base_url=url, headers={"X-Api-Key": key}, limits=limits, timeout=60
    ) as http:

        async def client(patient_id):
            order = random.sample(sessions, len(sessions))
            await asyncio.sleep(max(release_at - time.time(), 0))
            for session_id in order:
                body = {"session_id": session_id, "patient": {"patient_id": patient_id}}
                while True:
                    start = time.perf_counter()
                    r = await http.post("/api/booking/appointments", json=body)
                    latency = time.perf_counter() - start
                    code = "booked" if r.status_code == 201 else r.json().get("code", "?")
                    results.append((session_id, r.status_code, code, latency, time.time()))
                    if code != "not_released" or time.time() > release_at + deadline_s:
                        break
                    await asyncio.sleep(0.01)

        await asyncio.gather(*(client(p) for p in patients))
    return results


async def cheap(url, key, clients: int, total: int):
    """``whoami`` with the same concurrency: the cheapest authenticated JSON call."""
    latencies = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=url, headers={"X-Api-Key": key}, limits=limits, timeout=60
    ) as http:
        remaining = iter(range(total))

        async def client():
            for _ in remaining:
                start = time.perf_counter()
                r = await http.get("/api/integrations/whoami")
                latencies.append(time.perf_counter() - start)
                assert r.status_code == 200, r.text

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return latencies, time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--expert-slots", type=int, default=30)
    parser.add_argument("--clinic-slots", type=int, default=300)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "BENCH_ADMIN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--db-name", default="carebridge_bench")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--cheap-requests", type=int, default=3000)
    parser.add_argument(
        "--no-messages",
        action="store_true",
        help="do not configure the booking-confirmed template message",
    )
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    with database(args.admin_url, args.db_name) as database_url:
        env = {
            **os.environ,
            "CAREBRIDGE_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "carebridge.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "FIELD_HASH_KEY": "bench-hash-key-" + Fernet.generate_key().decode(),
            "SMS_BACKEND": "carebridge.patients.sms.SandboxSmsBackend",
            "LOG_LEVEL": "ERROR",
        }
        env.pop("REDIS_URL", None)  # the database cache: nothing else to start
        print("migrating…", file=sys.stderr)
        run(env, [*CARECLI, "migrate", "--no-input"])
        run(env, [*CARECLI, "createcachetable"])
        # Release a little after the server is up and the clients are waiting; the policy
        # keeps whole seconds.
        release_at = float(int(time.time() + 25))
        cfg = {
            "release_at": release_at,
            "expert": args.expert_slots,
            "clinic": args.clinic_slots,
            "clients": args.clients,
            "messages": not args.no_messages,
        }
        data = json.loads(
            run(env, [*CARECLI, "shell", "-c", SETUP.format(cfg=json.dumps(cfg))])
            .strip()
            .splitlines()[-1]
        )
        with server(env, args.workers, args.threads) as url:
            print(f"server {url}; release in {release_at - time.time():.1f}s", file=sys.stderr)
            warm = asyncio.run(cheap(url, data["key"], 20, 200))  # noqa: F841 - warm-up
            if time.time() > release_at - 2:
                raise SystemExit("setup took too long; the release passed before the rush")
            results = asyncio.run(
                rush(
                    url, data["key"], data["sessions"], data["patients"], release_at, deadline_s=30
                )
            )
            cheap_lat, cheap_secs = asyncio.run(
                cheap(url, data["key"], args.clients, args.cheap_requests)
            )
        check = json.loads(
            run(env, [*CARECLI, "shell", "-c", CHECK.format(ids=data["sessions"])])
            .strip()
            .splitlines()[-1]
        )

    report(args, results, cheap_lat, cheap_secs, check, release_at)


def report(args, results, cheap_lat, cheap_secs, check, release_at):
    booked = [r for r in results if r[2] == "booked"]
    attempts = [r for r in results if r[2] != "not_released"]
    outcome = {}
    for r in results:
        outcome[r[2]] = outcome.get(r[2], 0) + 1
    start = min(r[4] - r[3] for r in attempts)
    last_booking = max(r[4] for r in booked)
    last_answer = max(r[4] for r in attempts)
    booking_rate = len(booked) / (last_booking - start)
    request_rate = len(attempts) / (last_answer - start)
    cheap_rate = len(cheap_lat) / cheap_secs
    oversell = sum(
        max(c["holding"] - c["capacity"], 0)
        + c["slots_over"]
        + c["pools_over"]
        + c["double_booked_slots"]
        + c["person_twice"]
        for c in check.values()
    )
    lat_booked = [r[3] for r in booked]
    lat_all = [r[3] for r in attempts]
    lines = [
        f"clients {args.clients}, slots {args.expert_slots} + {args.clinic_slots}, "
        f"server carebridge serve ({args.workers} workers x {args.threads} threads), PostgreSQL, "
        f"confirmation messages {'off' if args.no_messages else 'on'}",
        f"outcomes: {json.dumps(outcome, ensure_ascii=False)}",
        f"successful bookings: {len(booked)} in {last_booking - start:.2f} s "
        f"= {booking_rate:.0f} bookings/s",
        f"booking requests answered: {len(attempts)} in {last_answer - start:.2f} s "
        f"= {request_rate:.0f} requests/s",
        f"latency, successful bookings: p50 {percentile(lat_booked, 50) * 1000:.0f} ms, "
        f"p99 {percentile(lat_booked, 99) * 1000:.0f} ms",
        f"latency, all booking requests: p50 {percentile(lat_all, 50) * 1000:.0f} ms, "
        f"p99 {percentile(lat_all, 99) * 1000:.0f} ms",
        f"cheapest authenticated endpoint (whoami): {len(cheap_lat)} in {cheap_secs:.2f} s "
        f"= {cheap_rate:.0f} requests/s, p50 {percentile(cheap_lat, 50) * 1000:.0f} ms, "
        f"p99 {percentile(cheap_lat, 99) * 1000:.0f} ms",
        f"ratio booking requests/s : whoami requests/s = {request_rate / cheap_rate:.2f}",
        f"ratio successful bookings/s : whoami requests/s = {booking_rate / cheap_rate:.2f}",
        f"per session (read back): {json.dumps(check)}",
        f"OVERSELL COUNT: {oversell}",
    ]
    print("\n".join(lines))
    if oversell:
        raise SystemExit("oversold!")


if __name__ == "__main__":
    main()
