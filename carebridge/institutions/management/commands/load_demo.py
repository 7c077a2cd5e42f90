from collections import Counter

from django.core.management.base import BaseCommand

from carebridge.institutions.demo import ADMIN_USERNAME, admin_password, refuse_in_production


class Command(BaseCommand):
    help = (
        "Load the demo hospital (苏州市枫桥人民医院), its WeChat account 'demo' and an admin "
        "user. Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--site-url", help="base URL of the demo's links (default SITE_URL)")

    def handle(self, *args, site_url=None, **options):
        refuse_in_production("load_demo")
        # The loader registers templates with the WeChat sandbox, whose models exist only
        # outside production: imported once production is ruled out.
        from carebridge.institutions.demo.load import load_demo

        result = load_demo(site_url)
        if result.created:
            counts = Counter(result.created)
            made = ", ".join(f"{label} ×{n}" for label, n in counts.items())
            self.stdout.write(f"demo hospital {result.institution.name}: created {made}")
        else:
            self.stdout.write(f"demo hospital {result.institution.name}: already loaded")
        if result.admin_created:
            self.stdout.write(
                f"back office user {ADMIN_USERNAME!r} created with password {admin_password()!r}"
            )
