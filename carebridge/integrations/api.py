"""API endpoints of the integrations app itself."""

from ninja import Router

from carebridge.booking.schemas import WhoAmI

from .auth import api_key

router = Router(auth=api_key, tags=["integrations"])


@router.get("/whoami", response=WhoAmI, summary="Which client this key belongs to")
def whoami(request):
    """The cheapest authenticated call: checks a key, and says what it may do, without touching
    booking data."""
    client = request.api_client
    return {
        "client": client.name,
        "institution": client.institution.slug,
        "channel": client.channel,
        "scopes": client.scopes,
    }
