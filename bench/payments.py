"""WeChat Pay payment notifications per second: verified, recorded and applied once.

Compares the real notify_url (/billing/wxpay/notify/<mchid>/: verify the signature, decrypt
the resource, mark the order paid with a conditional update, queue its follow-up in the outbox
and record the notification id) with a handler on the same server in the same run that only
verifies and decrypts (/bench/wxpay/verify/<mchid>/, bench/urls.py: the same merchant lookup
and client). The server is ``carebridge serve`` (gunicorn, its default workers and threads)
with production settings. No worker runs while the clock does: after the runs, with the server
stopped, the worker's pass over the payments' follow-ups (the registration fee's on_paid: the
appointment paid, its confirmation queued) is run here, and what it wrote is counted.

Each run sends ``--notifications`` notifications to each handler (verify-only first in odd
runs, second in even ones: ABBA): a third of them are duplicates, each the very delivery of
another (same notification id, as WeChat Pay's retries are), placed within the concurrency
window of its original so that both are in flight together. Every notification is signed with
the merchant's platform key (public-key mode) and encrypted under its APIv3 key before the
clock starts. Each run pays orders of its own, one registration fee per appointment.

Afterwards every answer must be 204, and the database must hold, for each run: every order
paid, once (one PayNotification with outcome "paid" per order, the duplicates recorded by id
once), every appointment paid by the follow-ups, and exactly one confirmation outbox row per
appointment.

    .venv/bin/python bench/payments.py \\
        --database-url postgres://postgres@127.0.0.1:5432/carebridge_bench_payments
"""

import argparse
import base64
import json
import random
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from bench import loadgen  # noqa: E402
from bench.common import (  # noqa: E402
    SERVE_THREADS,
    SERVE_WORKERS,
    bench_environment,
    manage,
    percentile,
    serve,
)

MCHID = "1900000001"
APPID = "wx_bench_000001"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012026120300000001"
SLOTS_PER_SESSION = 200


def _pem_private(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_public(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def setup_script(platform_key, apiv3_key: str, orders: int, runs: int) -> str:
    """Django shell code: the hospital, its merchant, and ``runs`` x ``orders`` appointments
    each with its pending registration fee order (ORM bulk inserts)."""
    merchant_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sessions = -(-orders * runs // SLOTS_PER_SESSION)
    return f"""
import secrets
from datetime import date, time, timedelta
from django.utils import timezone
from carebridge.billing.models import Merchant, Order, OrderKind
from carebridge.booking.actions import create_session
from carebridge.booking.models import Appointment, FeePayment
from carebridge.institutions.models import Institution, WeChatAccount
from carebridge.patients.models import Patient
from carebridge.wechat.models import Follower

hospital = Institution.objects.create(slug="bench", name="基准医院")
account = WeChatAccount.objects.create(institution=hospital, slug="bench", name="基准服务号",
                                       original_id="gh_bench000001")
Merchant.objects.create(institution=hospital, mchid={MCHID!r}, appid={APPID!r},
    cert_serial_no="5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    private_key={_pem_private(merchant_key)!r}, apiv3_key={apiv3_key!r}, verify_mode="public_key",
    public_key_id={PUBLIC_KEY_ID!r}, public_key={_pem_public(platform_key)!r})
follower = Follower.objects.create(account=account, openid="o_bench_payer")
patient = Patient(owner=follower, name="王小红", sex="female", birth_date=date(1990, 3, 7),
                  id_type="resident_id", relation="self")
patient.set_id_number("110101199003070249")
patient.set_phone("13812345678")
patient.save()
campus = hospital.campuses.create(name="总院", address="基准路1号", latitude="31.2",
                                  longitude="121.4")
department = hospital.departments.create(campus=campus, name="内科")
slots = []
for n in range({sessions}):
    session = create_session(institution=hospital, department=department, doctor=None,
        date=timezone.localdate() + timedelta(days=1 + n // 3), period=("morning", "afternoon",
        "evening")[n % 3], start_time=time(8), end_time=time(20), fee=1400,
        fee_payment=FeePayment.AT_BOOKING, capacity={SLOTS_PER_SESSION},
        quota_wechat={SLOTS_PER_SESSION})
    slots += list(session.slots.all())
expires = timezone.now() + timedelta(days=1)
for run in range({runs}):
    mine = slots[run * {orders}:(run + 1) * {orders}]
    appointments = Appointment.objects.bulk_create(
        Appointment(session_id=s.session_id, slot=s, queue_number=s.number, patient=patient,
                    person_key=secrets.token_hex(16), booked_by=follower, channel="wechat",
                    fee=1400) for s in mine)
    Order.objects.bulk_create(
        Order(institution=hospital, patient=patient, follower=follower,
              kind=OrderKind.REGISTRATION, description="挂号费", total=1400,
              out_trade_no=f"BENCH{{run}}N{{i:07d}}", expires_at=expires, next_query_at=expires,
              appointment=a) for i, a in enumerate(appointments))
print("ok")
"""


# The worker's sweep over the payments' follow-ups, pass after pass until none is due (the
# confirmations they queue stay queued: sending them needs WeChat).
FOLLOW_UPS = """
import time
from carebridge.billing.actions.orders import follow_up_payments
from carebridge.billing.tasks import FOLLOW_UP_BATCH
done, started = 0, time.perf_counter()
while ran := follow_up_payments(limit=FOLLOW_UP_BATCH):
    done += ran
print(done, round(time.perf_counter() - started, 1))
"""


READ_BACK = """
import json
from django.db.models import Count
from carebridge.billing.models import Order, PayNotification
from carebridge.booking.models import Appointment
from carebridge.outbox.models import OutboxMessage
out = {}
for run in range(%(runs)d):
    orders = Order.objects.filter(out_trade_no__startswith=f"BENCH{run}N")
    notes = PayNotification.objects.filter(out_trade_no__startswith=f"BENCH{run}N")
    ids = list(orders.values_list("appointment_id", flat=True))
    rows = OutboxMessage.objects.filter(topic="booking.confirmed")
    per_appointment = [
        r["payload"]["appointment_id"] for r in rows.values("payload")
        if r["payload"]["appointment_id"] in set(ids)
    ]
    out[run] = {
        "orders": orders.count(),
        "paid": orders.filter(status="paid").count(),
        "notifications": notes.count(),
        "applied": notes.filter(outcome="paid").count(),
        "applied_twice": notes.filter(outcome="paid").values("out_trade_no")
            .annotate(n=Count("id")).filter(n__gt=1).count(),
        "appointments_paid": Appointment.objects.filter(id__in=ids, payment_status="paid").count(),
        "followups": len(per_appointment),
        "followups_distinct": len(set(per_appointment)),
    }
print(json.dumps(out))
"""


class Signer:
    """WeChat Pay's side: the merchant's notifications, signed and encrypted as it does."""

    def __init__(self, platform_key, apiv3_key: str):
        self.key, self.aead = platform_key, AESGCM(apiv3_key.encode())

    def notification(self, out_trade_no: str) -> tuple[str, bytes]:
        """(notification id, the body and headers of TRANSACTION.SUCCESS for the order)."""
        now = int(time.time())
        resource = {
            "appid": APPID,
            "mchid": MCHID,
            "out_trade_no": out_trade_no,
            "transaction_id": "42" + secrets.token_hex(10),
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "attach": "",
            "success_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.localtime(now)),
            "payer": {"openid": "o_bench_payer"},
            "amount": {"total": 1400, "payer_total": 1400, "currency": "CNY"},
        }
        nonce = secrets.token_hex(6)
        sealed = self.aead.encrypt(nonce.encode(), json.dumps(resource).encode(), b"transaction")
        notification_id = str(uuid.uuid4())
        body = json.dumps(
            {
                "id": notification_id,
                "create_time": resource["success_time"],
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功",
                "resource": {
                    "original_type": "transaction",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(sealed).decode(),
                    "associated_data": "transaction",
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        header_nonce = secrets.token_hex(16)
        signature = self.key.sign(
            f"{now}\n{header_nonce}\n{body}\n".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        headers = {
            "Content-Type": "application/json",
            "Wechatpay-Timestamp": str(now),
            "Wechatpay-Nonce": header_nonce,
            "Wechatpay-Signature": base64.b64encode(signature).decode(),
            "Wechatpay-Serial": PUBLIC_KEY_ID,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }
        return notification_id, body.encode(), headers


def deliveries(signer, run: int, path: str, total: int, concurrency: int, rng) -> list:
    """``total`` raw requests to ``path``: two thirds first deliveries of this run's orders, a
    third repeats of one of them, each placed a few places after its original (inside the
    concurrency window, so both are in flight at once)."""
    unique = total - total // 3
    firsts = []
    for i in range(unique):
        notification_id, body, headers = signer.notification(f"BENCH{run}N{i:07d}")
        firsts.append((notification_id, loadgen.render("POST", path, None, body, headers)))
    repeats: dict[int, list[int]] = {}
    for original in rng.sample(range(unique), total - unique):
        repeats.setdefault(original + rng.randint(1, max(1, concurrency // 2)), []).append(original)
    sequence = []
    for position in range(unique + concurrency):
        if position < unique:
            sequence.append(firsts[position])
        sequence += [firsts[original] for original in repeats.get(position, [])]
    return sequence


def failures(run: loadgen.Run) -> dict:
    failed = dict(run.errors)
    for r in run.responses:
        if not r.error and r.status != 204:
            failed[f"HTTP {r.status}"] = failed.get(f"HTTP {r.status}", 0) + 1
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=10000, help="per handler per run")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=SERVE_WORKERS, help="carebridge serve's")
    parser.add_argument("--threads", type=int, default=SERVE_THREADS, help="carebridge serve's")
    parser.add_argument("--database-url", required=True, help="carebridge_bench* (PostgreSQL)")
    parser.add_argument("--redis-url", default=None, help="default: the database cache")
    args = parser.parse_args()

    rng = random.Random(14)
    platform_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    apiv3_key = secrets.token_hex(16)
    signer = Signer(platform_key, apiv3_key)
    unique = args.notifications - args.notifications // 3
    paths = {"verify": f"/bench/wxpay/verify/{MCHID}/", "full": f"/billing/wxpay/notify/{MCHID}/"}
    results = []
    environment = bench_environment(
        args.database_url, args.redis_url, accounts=("bench",), settings="bench.settings"
    )
    with environment as env:
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        # The runs' orders, and a warm-up's, paid in the last "run".
        manage(env, "shell", "-c", setup_script(platform_key, apiv3_key, unique, args.runs + 1))
        with serve(env, args.workers, args.threads) as base:
            warm = args.runs  # the extra run's orders warm both handlers up
            for handler in ("verify", "full"):
                size = min(600, args.notifications)
                batch = deliveries(signer, warm, paths[handler], size, args.concurrency, rng)
                if failures(done := loadgen.load(base, batch, args.concurrency)):
                    raise SystemExit(f"warm-up of {handler} failed: {failures(done)}")
            for run_no in range(args.runs):
                order = ("verify", "full") if run_no % 2 == 0 else ("full", "verify")
                rates = {}
                for handler in order:
                    batch = deliveries(
                        signer, run_no, paths[handler], args.notifications, args.concurrency, rng
                    )
                    run = loadgen.load(base, batch, args.concurrency)
                    failed = failures(run)
                    lat = [r.latency for r in run.responses]
                    rates[handler] = len(run.responses) / run.elapsed
                    print(
                        f"run {run_no + 1} {handler:6s} {rates[handler]:7.1f} notifications/s  "
                        f"p50 {percentile(lat, 50) * 1000:5.0f} ms  "
                        f"p99 {percentile(lat, 99) * 1000:5.0f} ms  "
                        f"failures {sum(failed.values())} {failed or ''}  "
                        f"(client CPU {run.client_cpu / run.elapsed:.0%} of a core)",
                        flush=True,
                    )
                    results.append((run_no, handler, rates[handler], failed, lat))
                print(f"run {run_no + 1} ratio full/verify {rates['full'] / rates['verify']:.2f}")
        followed, seconds = manage(env, "shell", "-c", FOLLOW_UPS).split()[-2:]
        print(f"follow-ups run by the worker's pass afterwards: {followed} in {seconds} s")
        stored = json.loads(
            manage(env, "shell", "-c", READ_BACK % {"runs": args.runs}).strip().splitlines()[-1]
        )
    report(args, results, stored, unique)


def report(args, results, stored, unique):
    ratios = []
    for run_no in range(args.runs):
        rate = {h: r for n, h, r, _, _ in results if n == run_no}
        ratios.append(rate["full"] / rate["verify"])
    median_run = sorted(range(args.runs), key=lambda n: ratios[n])[args.runs // 2]
    print(
        f"\nPostgreSQL, {'Redis' if args.redis_url else 'database'} cache; carebridge serve, "
        f"{args.workers} workers x {args.threads} threads; concurrency {args.concurrency}; "
        f"{args.notifications} notifications a handler a run ({unique} orders, "
        f"{args.notifications - unique} duplicates); {args.runs} runs (ABBA)"
    )
    for handler in ("verify", "full"):
        rates = [r for _, h, r, _, _ in results if h == handler]
        lat = [x for _, h, _, _, lats in results if h == handler for x in lats]
        print(
            f"{handler:6s} median {statistics.median(rates):7.1f}/s  (runs "
            + ", ".join(f"{r:.1f}" for r in rates)
            + f")  p50 {percentile(lat, 50) * 1000:.0f} ms  p99 {percentile(lat, 99) * 1000:.0f} ms"
        )
    median = statistics.median(ratios)
    print(
        f"ratio full/verify: median {median:.2f} (run {median_run + 1}; runs "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f"); target >= 0.50 -> {'met' if median >= 0.5 else 'MISSED'}"
    )
    ok = True
    for run_no in range(args.runs):
        s = stored[str(run_no)]
        good = (
            s["orders"] == s["paid"] == s["applied"] == s["notifications"] == unique
            and s["applied_twice"] == 0
            and s["appointments_paid"] == unique
            and s["followups"] == s["followups_distinct"] == unique
        )
        ok = ok and good
        print(
            f"run {run_no + 1} read back: {s['paid']}/{s['orders']} orders paid, "
            f"{s['notifications']} notifications recorded, {s['applied']} applied, "
            f"{s['applied_twice']} orders applied twice, {s['appointments_paid']} appointments "
            f"paid, {s['followups']} follow-ups ({s['followups_distinct']} distinct) "
            f"-> {'ok' if good else 'MISMATCH'}"
        )
    if not ok or any(f for _, _, _, f, _ in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
