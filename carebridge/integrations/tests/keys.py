"""An API key for tests: a window client of ``institution`` holding ``scopes``."""

from carebridge.integrations.models import ApiClient


def make_key(institution, scopes, name="HIS") -> str:
    client = ApiClient(institution=institution, name=name, channel="window", scopes=list(scopes))
    key = client.set_new_key()
    client.save()
    return key
