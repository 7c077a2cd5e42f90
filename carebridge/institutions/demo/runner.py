"""The processes `carebridge demo` runs: web server, sandbox server ("WeChat"), outbox worker.

Children run in their own sessions, so only the supervisor decides when they stop: on Ctrl-C,
SIGTERM or SIGHUP it asks each to stop (SIGINT to the servers, which exit cleanly on it; SIGTERM
to the worker, which finishes its message), waits, and kills what is left after a grace period.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

GRACE_SECONDS = 10.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def manage(*args: str) -> list[str]:
    """argv running a manage.py command with this interpreter."""
    return [sys.executable, "-m", "carebridge.cli", *args]


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    stop_signal: int


@dataclass
class Supervisor:
    env: dict
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def start(self, name: str, argv: list[str], stop_signal=signal.SIGTERM) -> Child:
        process = subprocess.Popen(argv, env=self.env, start_new_session=True)
        child = Child(name, process, stop_signal)
        self.children.append(child)
        return child

    def trap_signals(self) -> None:
        def request_stop(signum, frame):
            self.stopping = True

        for signum in STOP_SIGNALS:
            signal.signal(signum, request_stop)

    def exited(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def wait_for(self, url: str, deadline_seconds: float) -> bool:
        """Poll ``url`` until it answers (any HTTP status), a child dies or a stop is asked."""
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline and not self.stopping and self.exited() is None:
            try:
                httpx.get(url, timeout=1.0)
                return True
            except httpx.HTTPError:
                time.sleep(0.2)
        return False

    def run_until_stopped(self) -> Child | None:
        """Block until a stop signal (None) or a child's unexpected exit (that child)."""
        while not self.stopping:
            child = self.exited()
            if child is not None:
                return child
            time.sleep(0.2)
        return None

    def stop(self) -> None:
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(child.stop_signal)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()


def child_env(**overrides: str) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env
