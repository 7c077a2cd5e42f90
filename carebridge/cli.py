"""The ``carebridge`` console command: production verbs, everything else goes to manage.py."""

import os
import sys

USAGE = """usage: carebridge <command> [options]

  serve        run the web server (gunicorn; production settings unless CAREBRIDGE_ENV is set)
  worker       run the background worker that drains the outbox
  sync-menu    push each account's custom menu to WeChat
  check        report missing or unsafe production settings
  demo         set up the demo hospital and run web server, worker and WeChat sandbox
  <other>      any manage.py command (migrate, createsuperuser, shell…)
"""


def _manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["carebridge", *argv])


def serve(argv: list[str]) -> None:
    os.environ.setdefault("CAREBRIDGE_ENV", "production")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    import django

    django.setup()  # fails here, with a clear message, if a production secret is missing
    bind = os.environ.get("BIND", "0.0.0.0:8000")
    workers = os.environ.get("WEB_WORKERS", str((os.cpu_count() or 1) * 2 + 1))
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
        *argv,
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *args])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    command, rest = argv[0], argv[1:]
    if command == "serve":
        serve(rest)
    elif command == "worker":
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
