from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from carebridge.patients.tasks import purge_phone_codes


class Command(BaseCommand):
    help = (
        "Delete phone verification codes that expired long ago (daily: run_daily_jobs does it "
        "at 03:30; safe to run at any time)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=24,
            help="keep codes that expired less than this many hours ago (default 24)",
        )

    def handle(self, *args, older_than_hours, **options):
        if older_than_hours < 0:
            raise CommandError("--older-than-hours cannot be negative")
        deleted = purge_phone_codes(timedelta(hours=older_than_hours))
        self.stdout.write(f"{deleted} expired code(s) deleted")
