import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from carebridge.booking import daily
from carebridge.booking.models import DailyJobRun


class Command(BaseCommand):
    help = (
        "Run the daily jobs that are due (day-before reminders, sessions from templates, expired "
        "phone codes), each once a day at its time. From cron every few minutes, or --loop."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="keep running, checking every --interval seconds"
        )
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument(
            "--list", action="store_true", help="show the jobs, their times and last runs"
        )

    def handle(self, *args, loop=False, interval=60.0, list=False, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if list:
            return self.show()
        if not loop:
            outcomes = daily.run_due_jobs()
            for name, outcome in outcomes.items():
                self.stdout.write(f"{name}: {outcome}")
            if not outcomes:
                self.stdout.write("nothing due")
            if "failed" in outcomes.values():
                raise CommandError("a daily job failed (it is retried at the next run)")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        daily.run_forever(stop, interval)

    def show(self):
        today = timezone.localdate()
        for job in daily.registered_jobs():
            last = DailyJobRun.objects.filter(job=job.name).order_by("-day").first()
            state = "never run"
            if last is not None:
                state = f"last {last.day}: " + (
                    last.result if last.finished_at else ("failed" if last.failed else "running")
                )
            at = job.time_of_day().strftime("%H:%M")
            self.stdout.write(f"{job.name:<24} daily at {at}  {state}  ({job.help})")
        self.stdout.write(f"today: {today}")
