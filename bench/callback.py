"""Messages per second through the WeChat callback, safe mode, keyword reply.

Compares the full handler (/wechat/<slug>/: verify, decrypt, dedup, follower, router, reply,
encrypt) with a minimal handler on the same server in the same run (/bench/echo/<slug>/: verify,
decrypt, echo, encrypt with the same library), alternating phases so drift hits both alike.

    .venv/bin/python bench/callback.py                      # SQLite
    .venv/bin/python bench/callback.py --database-url postgres://postgres@127.0.0.1:5432/test
"""

import argparse
import asyncio
import itertools
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_environment, gunicorn, manage, summary  # noqa: E402
from carebridge.wechat import callback, xml  # noqa: E402
from carebridge.wechat.credentials import sandbox_credentials  # noqa: E402

SLUG = "bench"
KEYWORD, ANSWER = "挂号", "请点击菜单「就医服务 → 预约挂号」，选择科室和医生即可预约。"
SETUP = f"""
from carebridge.institutions.models import Institution, WeChatAccount
from carebridge.wechat.models import AutoReply
hospital = Institution.objects.create(slug="bench", name="基准医院")
account = WeChatAccount.objects.create(institution=hospital, slug="{SLUG}", name="基准服务号")
for n in range(20):  # a realistic rule set: the keyword is one of many
    AutoReply.objects.create(account=account, trigger="keyword", match_type="contains",
                             pattern=f"无关词{{n}}", text="x", priority=n)
AutoReply.objects.create(account=account, trigger="keyword", match_type="exact",
                         pattern="{KEYWORD}", text="{ANSWER}", priority=100)
"""
msg_ids = itertools.count(int(time.time()) * 1000)


def requests_for(n: int, users: int) -> list[tuple[dict, bytes]]:
    creds = sandbox_credentials(SLUG)
    built = []
    for i in range(n):
        message = xml.render(
            {
                "ToUserName": "gh_bench",
                "FromUserName": f"o_bench_user_{i % users:06d}",
                "CreateTime": int(time.time()),
                "MsgType": "text",
                "Content": KEYWORD,
                "MsgId": next(msg_ids),
            }
        )
        built.append(callback.sign_request(creds, message, encrypted=True))
    return built


async def fire(url: str, requests: list, concurrency: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    failures = 0
    queue = iter(requests)
    creds = sandbox_credentials(SLUG)

    async def sender(client):
        nonlocal failures
        for params, body in queue:
            start = time.perf_counter()
            try:
                response = await client.post(url, params=params, content=body)
                ok = response.status_code == 200
                if ok and len(latencies) % 50 == 0:  # spot-check the reply is the right one
                    reply = callback.open_reply(creds, response.text)
                    ok = reply.get("Content") in (ANSWER, KEYWORD)
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - start)
            failures += not ok

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        started = time.perf_counter()
        await asyncio.gather(*(sender(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="per phase")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--users", type=int, default=1000, help="distinct senders")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    with bench_environment(args.database_url) as env:
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")
        manage(env, "shell", "-c", SETUP)
        with gunicorn(env, args.workers, args.threads) as base:
            asyncio.run(fire(f"{base}/bench/echo/{SLUG}/", requests_for(200, 50), 20))  # warm up
            results = {"minimal": [], "full": []}
            for _ in range(args.rounds):
                for name, path in (
                    ("minimal", f"/bench/echo/{SLUG}/"),
                    ("full", f"/wechat/{SLUG}/"),
                ):
                    batch = requests_for(args.messages, args.users)
                    latencies, elapsed, failures = asyncio.run(
                        fire(base + path, batch, args.concurrency)
                    )
                    figures = summary(latencies, elapsed)
                    figures["failures"] = failures
                    results[name].append(figures)
                    print(
                        f"{name:8s} {figures['per_second']:8.1f} msg/s  "
                        f"p50 {figures['p50_ms']:7.1f} ms  p99 {figures['p99_ms']:7.1f} ms  "
                        f"failures {failures}",
                        flush=True,
                    )
        if args.database_url:
            manage(env, "flush", "--noinput")

    def best(name, key):
        return max(r[key] for r in results[name])

    full, minimal = best("full", "per_second"), best("minimal", "per_second")
    p99 = max(r["p99_ms"] for r in results["full"])
    failures = sum(r["failures"] for rs in results.values() for r in rs)
    print(
        f"\nconcurrency {args.concurrency}, {args.messages} messages a phase, "
        f"{args.rounds} rounds, database {'PostgreSQL' if args.database_url else 'SQLite'}"
    )
    print(f"full handler    {full:8.1f} msg/s (best round)")
    print(f"minimal handler {minimal:8.1f} msg/s (best round)")
    print(f"ratio full/minimal {full / minimal:.2f}  (target >= 0.70)")
    print(f"full handler p99 {p99:.0f} ms (WeChat's limit 5000 ms); failures {failures}")


if __name__ == "__main__":
    main()
