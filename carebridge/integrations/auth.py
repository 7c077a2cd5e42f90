"""API authentication: every call carries its client's key in the ``X-Api-Key`` header, and
every endpoint names the scopes that let a key call it (``requires``).

A missing or wrong key is ninja's 401; a good key without the endpoint's scope is a 403
``scope_missing`` raised before the endpoint runs, so nothing has changed."""

from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyHeader

from .models import ApiClient, Scope


class ScopeMissing(Exception):
    """The key lacks every one of ``scopes``: the API answers 403 with the code below."""

    code = "scope_missing"
    status = 403

    def __init__(self, *scopes: str):
        self.scopes = scopes
        super().__init__(self.message)

    @property
    def message(self) -> str:
        names = " / ".join(str(s) for s in self.scopes)
        return str(_("此密钥没有 %(scope)s 权限") % {"scope": names})


class ApiKeyAuth(APIKeyHeader):
    """Sets ``request.api_client``; endpoints scope every query to its institution. With
    ``scopes``, the key must hold one of them."""

    param_name = "X-Api-Key"

    def __init__(self, *scopes: Scope):
        self.scopes = tuple(scopes)
        super().__init__()

    def authenticate(self, request, key):
        client = ApiClient.authenticate(key)
        if client is None:
            return None
        request.api_client = client
        if self.scopes and not any(client.has_scope(s) for s in self.scopes):
            raise ScopeMissing(*self.scopes)
        return client


def requires(*scopes: Scope) -> ApiKeyAuth:
    """The ``auth`` of an endpoint a key may call only with one of ``scopes``; the OpenAPI
    document lists them (carebridge/api.py)."""
    return ApiKeyAuth(*scopes)


# Any valid key of an active client: the endpoints that show a key only its own client.
api_key = ApiKeyAuth()
