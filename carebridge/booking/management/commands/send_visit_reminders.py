from django.core.management.base import BaseCommand

from carebridge.booking.actions import send_visit_reminders


class Command(BaseCommand):
    help = "Queue the day-before reminder for every appointment tomorrow (safe to run repeatedly)."

    def handle(self, **options):
        count = send_visit_reminders()
        self.stdout.write(f"{count} reminder(s) queued")
