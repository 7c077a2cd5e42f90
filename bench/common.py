"""Shared by the benchmarks: a throwaway database, ``carebridge serve`` on a free loopback port."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_database(url: str):
    """Create the PostgreSQL database named in ``url`` and drop it afterwards. Only names that
    start with ``carebridge_bench`` are accepted, so a typo never drops a real database."""
    import psycopg

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"not a PostgreSQL URL: {url}")
    name = parts.path.lstrip("/")
    if not name.startswith("carebridge_bench"):
        raise SystemExit(f"refusing database {name!r}: benchmark databases are carebridge_bench*")
    admin = urlunsplit(parts._replace(path="/postgres"))

    def execute(sql):
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def bench_environment(
    database_url: str | None,
    redis_url: str | None = None,
    accounts: tuple[str, ...] = (),
    settings: str = "carebridge.settings",
):
    """Environment variables for a production deployment (CAREBRIDGE_ENV=production, fresh
    secrets, WeChat credentials for ``accounts`` in safe mode) on a fresh database: a SQLite
    file in a temporary directory, or the PostgreSQL database named in ``database_url``, created
    now and dropped afterwards. With ``redis_url`` the cache is Redis, under a key prefix of its
    own; otherwise the database cache. Nothing talks to WeChat: its API is a closed port."""
    from cryptography.fernet import Fernet

    from carebridge.wechat.credentials import env_prefix, sandbox_credentials

    with tempfile.TemporaryDirectory(prefix="carebridge-bench-") as var:
        env = {
            **os.environ,
            "CAREBRIDGE_ENV": "production",
            "DJANGO_SETTINGS_MODULE": settings,
            "PYTHONPATH": str(ROOT),
            "CAREBRIDGE_VAR_DIR": var,
            "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "FIELD_HASH_KEY": "bench-hash-key-" + Fernet.generate_key().decode(),
            # No benchmark sends a text message; production refuses the sandbox's backend.
            "SMS_BACKEND": "carebridge.patients.sms.BaseSmsBackend",
            "LOG_LEVEL": "ERROR",
            # Production settings would point at WeChat's real servers: a worker started by a
            # benchmark must never reach out, so WeChat is a closed port on loopback. (Not
            # 127.0.0.1, which `carebridge check` refuses in production as the sandbox's.)
            "WECHAT_API_BASE": "http://127.0.0.9:9/wx",
            "WECHAT_OPEN_BASE": "http://127.0.0.9:9/open",
        }
        for name in ("DATABASE_URL", "REDIS_URL", "DEBUG"):
            env.pop(name, None)
        for slug in accounts:
            creds = sandbox_credentials(slug)
            prefix = env_prefix(slug)
            env[prefix + "APPID"] = creds.app_id
            env[prefix + "APPSECRET"] = creds.app_secret
            env[prefix + "TOKEN"] = creds.token
            env[prefix + "AESKEY"] = creds.aes_key
            env[prefix + "MODE"] = creds.mode
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["CACHE_KEY_PREFIX"] = f"carebridge-bench-{os.getpid()}"
        if not database_url:
            yield env
            return
        with postgres_database(database_url):
            env["DATABASE_URL"] = database_url
            yield env


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


# carebridge serve's defaults (cli.py): 2 x cores + 1 gunicorn gthread workers, 4 threads each.
SERVE_WORKERS = (os.cpu_count() or 1) * 2 + 1
SERVE_THREADS = 4


@contextmanager
def serve(env, workers: int | None = None, threads: int | None = None):
    """``carebridge serve`` (the production server: gunicorn, gthread workers) on a free
    loopback port, with its own worker and thread counts unless given; yields its URL."""
    port = free_port()
    env = {
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers or SERVE_WORKERS),
        "WEB_THREADS": str(threads or SERVE_THREADS),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from carebridge.cli import main; main()",
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
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group, SIGKILL after 20 s."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


# How many nice steps the benchmarks' worker runs below the server (0: level with it), as
# docs/deployment.md has production do with the worker unit's lower CPUWeight=. Under Linux's
# autogroup scheduling each session shares the cores as one group, and the worker leads a
# session of its own: its own nice value alone changed nothing, its group's did (the rush at
# 0.51-0.60 of whoami against 0.44-0.49 level, bench/RESULTS.md).
WORKER_NICE = int(os.environ.get("WORKER_NICE", "10"))


def _below_the_server() -> None:
    """Run in the worker's child before it starts: lower it and, as it leads its own session,
    its autogroup (a kernel without autogroups: its own nice value is all there is)."""
    nice = os.nice(WORKER_NICE)
    try:
        Path("/proc/self/autogroup").write_text(f"{nice}\n")
    except OSError:
        pass


@contextmanager
def worker(env):
    """``carebridge worker`` (the outbox and its sweeps) beside the server, as in production: its
    CPU competes with the server's for the same cores, WORKER_NICE steps below it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from carebridge.cli import main; main()", "worker"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        preexec_fn=_below_the_server if WORKER_NICE else None,
    )
    try:
        yield proc
    finally:
        stop(proc)


class Backlog:
    """Work the worker has not done yet, counted by ``sql`` straight from the benchmark's
    database, so a benchmark can wait for the worker without starting a Django process."""

    def __init__(self, env, sql: str):
        self.sql = sql
        if env.get("DATABASE_URL"):
            import psycopg

            self.conn = psycopg.connect(env["DATABASE_URL"], autocommit=True)
        else:
            import sqlite3

            self.conn = sqlite3.connect(Path(env["CAREBRIDGE_VAR_DIR"]) / "carebridge.sqlite3")

    def count(self) -> int:
        return self.conn.execute(self.sql).fetchone()[0]

    def drained(self, timeout: float = 120.0) -> float:
        """Seconds until nothing is left (polled every 10 ms); fails after ``timeout``."""
        start = time.monotonic()
        while self.count():
            if time.monotonic() - start > timeout:
                raise SystemExit(f"the worker left {self.count()} after {timeout} s")
            time.sleep(0.01)
        return time.monotonic() - start


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that have exited (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
