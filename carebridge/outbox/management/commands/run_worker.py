import signal

from django.core.management.base import BaseCommand

from carebridge.outbox.worker import run_forever, run_once, sweep_once


class Command(BaseCommand):
    help = "Send what the outbox holds: WeChat messages and other side effects, with retries."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain what is due, then exit")

    def handle(self, *args, once=False, **options):
        if once:
            processed, swept = run_once(), 0
            while done := sweep_once():
                swept += done
            self.stdout.write(f"processed {processed}, swept {swept}")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        run_forever(stop=lambda: bool(stopping))
