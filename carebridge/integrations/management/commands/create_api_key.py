from django.core.management.base import BaseCommand, CommandError

from carebridge.booking.models.choices import Channel
from carebridge.institutions.models import Institution
from carebridge.integrations.models import DEFAULT_SCOPES, ApiClient, Scope


def _defaults_help() -> str:
    return "; ".join(
        f"{channel}: {' '.join(DEFAULT_SCOPES[channel])}" for channel in Channel.values
    )


class Command(BaseCommand):
    help = "Create an API client for an institution and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("institution", help="institution slug")
        parser.add_argument("name", help="e.g. 门诊一楼自助机")
        parser.add_argument("--channel", choices=Channel.values, default=Channel.WINDOW)
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            dest="scopes",
            metavar="SCOPE",
            help=(
                "what the key may do; repeat for each (one of: "
                f"{', '.join(Scope.values)}). Without --scope, the channel's defaults: "
                f"{_defaults_help()}"
            ),
        )

    def handle(self, institution, name, channel, scopes, **options):
        try:
            inst = Institution.objects.get(slug=institution)
        except Institution.DoesNotExist as exc:
            raise CommandError(f"no institution with slug {institution!r}") from exc
        client = ApiClient(institution=inst, name=name, channel=channel, scopes=scopes or [])
        key = client.set_new_key()
        client.save()
        self.stderr.write(
            f"API client #{client.pk} {name} ({channel}) for {inst.slug}, "
            f"scopes: {' '.join(client.scopes)}."
        )
        self.stderr.write(
            "Send it as the X-Api-Key header; it is not stored and cannot be shown again:"
        )
        self.stdout.write(key)
