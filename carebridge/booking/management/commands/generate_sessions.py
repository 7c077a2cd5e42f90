from django.core.management.base import BaseCommand

from carebridge.booking.actions import generate_sessions


class Command(BaseCommand):
    help = "Create sessions from active schedule templates for their weeks ahead (idempotent)."

    def handle(self, **options):
        created = generate_sessions()
        self.stdout.write(f"{len(created)} session(s) created")
