"""The ``carebridge`` console command: production verbs, everything else goes to manage.py."""

import os
import sys

from carebridge.lib.env import envbool

USAGE = """usage: carebridge <command> [options]

  serve        run the web server (gunicorn; production settings unless CAREBRIDGE_ENV is set)
  worker       run the background worker that drains the outbox
  run_daily_jobs [--loop]
               the daily jobs (reminders, session generation, purges), once a day each
  sync-menu    push each account's custom menu to WeChat
  check        report missing or unsafe production settings
  demo         set up the demo hospital and run web server, worker and WeChat sandbox
  <other>      any manage.py command (migrate, createsuperuser, shell…)
"""


def _manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()  # settings' own refusals first (main reports them), not "unknown command"

    execute_from_command_line(["carebridge", *argv])


def ready_to_start(command: str) -> None:
    """Set Django up and refuse to start a long-running process on a deployment that cannot work
    (a production secret or an account's credentials missing, WeChat pointed at the sandbox):
    exit with the problems listed, before anything listens or sends."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    import django
    from django.core import checks

    django.setup()  # settings raise ImproperlyConfigured here when a production secret is missing
    serious = [m for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]
    if serious:
        lines = "\n".join(f"  - {m}" for m in serious)
        sys.exit(f"carebridge {command}: cannot start; fix these first:\n{lines}")


def serve(argv: list[str]) -> None:
    from carebridge.lib.listening import address_in_use

    os.environ.setdefault("CAREBRIDGE_ENV", "production")
    ready_to_start("serve")
    bind = os.environ.get("BIND", "0.0.0.0:8000")
    workers = os.environ.get("WEB_WORKERS", str((os.cpu_count() or 1) * 2 + 1))
    # Each process listens on the address itself and the kernel deals connections out evenly.
    # With one shared socket the processes race to accept: when hundreds of kept-alive clients
    # connected at once (phone centres before a release) one process got 42 % of the work and
    # another 2 %, and the busy one finished alone, on one core (bench/RESULTS.md).
    reuse_port = envbool("WEB_REUSE_PORT", True)
    if reuse_port and address_in_use(bind):
        sys.exit(f"carebridge serve: cannot start: another process listens on {bind} (BIND)")
    args = [
        "gunicorn",
        "carebridge.wsgi:application",
        "--bind",
        bind,
        "--workers",
        workers,
        "--worker-class",
        "gthread",
        "--threads",
        os.environ.get("WEB_THREADS", "4"),
        "--access-logfile",
        "-",
        *(["--reuse-port"] if reuse_port else []),
        *argv,
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    from django.core.exceptions import ImproperlyConfigured

    try:
        run(argv[0], argv[1:])
    except ImproperlyConfigured as exc:  # a missing production secret: one clear line
        sys.exit(f"carebridge {argv[0]}: cannot start: {exc}")


def run(command: str, rest: list[str]) -> None:
    argv = [command, *rest]
    if command == "serve":
        serve(rest)
    elif command == "worker":
        ready_to_start("worker")
        _manage(["run_worker", *rest])
    elif command == "sync-menu":
        _manage(["sync_menu", *rest])
    elif command == "check":
        _manage(["check", "--deploy", "--fail-level", "WARNING", *rest])
    elif command == "demo":
        os.environ.setdefault("CAREBRIDGE_ENV", "demo")
        _manage(["run_demo", *rest])
    else:
        _manage(argv)


if __name__ == "__main__":
    main()
