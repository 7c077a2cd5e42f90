"""`carebridge demo` (`make demo`): database, demo hospital, then web server, WeChat sandbox and
worker until Ctrl-C, with the daily jobs (sessions from the schedule templates, day-before
reminders, housekeeping) run in a thread of this process. Ports: CAREBRIDGE_WEB_PORT (8000) and
CAREBRIDGE_SANDBOX_PORT (8001)."""

import os
import signal
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import override_settings

from carebridge.booking import daily
from carebridge.booking.actions import generate_sessions
from carebridge.institutions.demo import (
    ADMIN_USERNAME,
    admin_password,
    refuse_in_production,
    runner,
)
from carebridge.lib.env import envint
from carebridge.wechat.credentials import get_credentials

HOST = "127.0.0.1"
PORTS = (("CAREBRIDGE_WEB_PORT", 8000), ("CAREBRIDGE_SANDBOX_PORT", 8001))


class Command(BaseCommand):
    help = "Run the demo: migrate, load the demo hospital, start web server, sandbox and worker."

    def handle(self, *args, **options):
        refuse_in_production("demo")
        # The loader needs the WeChat sandbox's models, which exist only outside production.
        from carebridge.institutions.demo.load import load_demo

        web_port, sandbox_port = (envint(name, default) for name, default in PORTS)
        for (name, _), port in zip(PORTS, (web_port, sandbox_port), strict=True):
            if not runner.port_is_free(HOST, port):
                raise CommandError(f"port {port} of {HOST} is in use: free it or set {name}")
        web, sandbox = f"http://{HOST}:{web_port}", f"http://{HOST}:{sandbox_port}"
        # Explicit settings win; the defaults follow the chosen ports.
        urls = {
            "SITE_URL": os.environ.get("SITE_URL") or web,
            "WECHAT_API_BASE": os.environ.get("WECHAT_API_BASE") or f"{sandbox}/sandbox/wx",
            "WECHAT_OPEN_BASE": os.environ.get("WECHAT_OPEN_BASE") or f"{sandbox}/sandbox/open",
            # The worker's order queries, closes and refunds go to the sandbox's WeChat Pay.
            "WECHATPAY_API_BASE": os.environ.get("WECHATPAY_API_BASE") or f"{sandbox}/sandbox/pay",
        }
        with override_settings(**urls):
            self.say("Preparing the database…")
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)
            loaded = load_demo()
            created = generate_sessions()
            if created:
                self.say(f"{len(created)} clinic sessions generated from the schedule templates.")
        connections.close_all()  # the children open their own

        env = runner.child_env(
            CAREBRIDGE_ENV=settings.CAREBRIDGE_ENV,
            REQUEST_LOG_LEVEL=os.environ.get("REQUEST_LOG_LEVEL", "WARNING"),
            **urls,
        )
        supervisor = runner.Supervisor(env)
        supervisor.trap_signals()
        failed = None
        stop_jobs = threading.Event()
        jobs = threading.Thread(
            target=daily.run_forever, args=(stop_jobs,), name="daily-jobs", daemon=True
        )
        try:
            jobs.start()
            servers = [
                supervisor.start(
                    name, runner.manage("runserver", address, "--noreload"), signal.SIGINT
                )
                for name, address in (
                    ("sandbox", f"{HOST}:{sandbox_port}"),
                    ("web", f"{HOST}:{web_port}"),
                )
            ]
            worker = supervisor.start("worker", runner.manage("run_worker"))
            if supervisor.wait_for(f"{sandbox}/api/health", 60):
                with override_settings(**urls):
                    self.push_menu(loaded.account)
            if supervisor.wait_for(f"{web}/api/health", 60):
                self.banner(loaded, urls["SITE_URL"], sandbox, [*servers, worker])
            failed = supervisor.run_until_stopped()
        finally:
            self.say("Stopping…")
            stop_jobs.set()
            supervisor.stop()
            jobs.join(timeout=runner.GRACE_SECONDS)
        if failed is not None:
            code = failed.process.returncode
            raise CommandError(f"the {failed.name} process exited (code {code}); demo stopped")
        self.say("Stopped.")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def push_menu(self, account) -> None:
        """Publish the demo menu to the sandbox, as `carebridge sync-menu` would."""
        from carebridge.wechat.actions.menu import sync_menu

        try:
            menu = sync_menu(account)
        except Exception as exc:  # the demo goes on without a menu; say why
            self.stderr.write(f"The menu was not pushed to the WeChat sandbox: {exc}")
        else:
            count = len(menu["button"])
            self.say(
                f"Menu of account {account.slug!r} pushed to the WeChat sandbox ({count} buttons)."
            )
        finally:
            connections.close_all()

    def banner(self, loaded, site: str, sandbox: str, children) -> None:
        creds = get_credentials(loaded.account.slug)
        password = admin_password()
        if not loaded.admin_created:
            password += " (as first set; unchanged if you changed it)"
        pids = ", ".join(f"{c.name} pid {c.process.pid}" for c in children)
        lines = [
            "",
            f"CareBridge demo is running — {loaded.institution.name}",
            f"  Phone simulator (start here): {site}/sandbox/",
            f"  Back office:                  {site}/admin/",
            f"      user {ADMIN_USERNAME}, password {password}",
            f"  API docs (OpenAPI):           {site}/api/docs",
            f"  WeChat callback (demo):       {site}/wechat/{loaded.account.slug}/",
            f"      AppID {creds.app_id}, Token {creds.token}, mode {creds.mode}",
            f"  Sandbox WeChat API server:    {sandbox}/sandbox/wx/",
            f"  Sandbox WeChat Pay v3 server: {sandbox}/sandbox/pay/",
            f"Processes: {pids}.",
            "Press Ctrl-C to stop.",
            "",
        ]
        self.say("\n".join(lines))
