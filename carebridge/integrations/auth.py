"""API authentication: every call carries its client's key in the ``X-Api-Key`` header."""

from ninja.security import APIKeyHeader

from .models import ApiClient


class ApiKeyAuth(APIKeyHeader):
    """Sets ``request.api_client``; endpoints scope every query to its institution."""

    param_name = "X-Api-Key"

    def authenticate(self, request, key):
        client = ApiClient.authenticate(key)
        if client is not None:
            request.api_client = client
        return client


api_key = ApiKeyAuth()
