"""The JSON API for HIS, kiosks and windows (OpenAPI docs at /api/docs)."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.openapi.schema import OpenAPISchema

from carebridge.billing.api import router as billing_router
from carebridge.booking.api import router as booking_router
from carebridge.institutions.api import router as institutions_router
from carebridge.integrations.api import router as integrations_router
from carebridge.integrations.auth import ScopeMissing
from carebridge.results.api import router as results_router

SECURITY_SCHEME = "ApiKeyAuth"

# What ninja itself answers before an endpoint runs, documented on every endpoint it concerns.
UNAUTHORIZED = {
    "description": "No key, or not an active client's key",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            }
        }
    },
}
INVALID_INPUT = {
    "description": "A parameter or the body does not fit its schema; `loc` names the field",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "detail": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "loc": {"type": "array"},
                                "msg": {"type": "string"},
                                "type": {"type": "string"},
                            },
                            "required": ["loc", "msg", "type"],
                        },
                    }
                },
                "required": ["detail"],
            }
        }
    },
}


def endpoint_scopes(operation) -> list[str] | None:
    """The scopes one of which a key needs for ``operation``: [] for any key, None when the
    endpoint is public."""
    keys = [auth for auth in operation.auth_callbacks if hasattr(auth, "scopes")]
    if not keys:
        return None
    return [str(scope) for auth in keys for scope in auth.scopes]


class ScopedSchema(OpenAPISchema):
    """Ninja's OpenAPI document, with each endpoint's scopes in its security requirement
    (OpenAPI 3.1 lets an apiKey requirement list the roles it needs), in ``x-scopes`` and in
    its description; and the 401 and 422 that ninja answers documented where they can occur."""

    def operation_details(self, operation):
        details = super().operation_details(operation)
        scopes = endpoint_scopes(operation)
        details["x-scopes"] = scopes or []
        if scopes is None:
            note = "Public: no key needed."
        elif not scopes:
            details["responses"].setdefault(401, UNAUTHORIZED)
            note = "Scope: any valid key."
        else:
            details["responses"].setdefault(401, UNAUTHORIZED)
            details["security"] = [{SECURITY_SCHEME: [scope]} for scope in scopes]
            listed = ", ".join(f"`{scope}`" for scope in scopes)
            note = f"Scope: {listed}." if len(scopes) == 1 else f"Scope: one of {listed}."
        if details["parameters"] or "requestBody" in details:
            details["responses"].setdefault(422, INVALID_INPUT)
        details["description"] = "\n\n".join(filter(None, [details.get("description"), note]))
        return details


class CareBridgeAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ScopedSchema(self, path_prefix)


api = CareBridgeAPI(
    title="CareBridge API",
    version="1",
    description=(
        "健康桥 JSON API for hospital systems: HIS, kiosks, registration windows. Every call "
        "but the public catalogue's sends its client's key as `X-Api-Key`; each endpoint says "
        "which scope the key needs (a key without it gets 403 `scope_missing`)."
    ),
    urls_namespace="api",
    # No badge fetched from validator.swagger.io: the docs work with no internet. Extensions
    # shown: each endpoint's x-scopes.
    docs=Swagger(settings={"validatorUrl": None, "showExtensions": True}),
)
api.add_router("/institutions", institutions_router)
api.add_router("/booking", booking_router)
api.add_router("/integrations", integrations_router)
api.add_router("/results", results_router)
api.add_router("/billing", billing_router)


@api.exception_handler(ScopeMissing)
def scope_missing(request, exc: ScopeMissing):
    """Refused before the endpoint ran: nothing has changed."""
    return api.create_response(
        request, {"code": exc.code, "message": exc.message}, status=exc.status
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """A body that is not JSON is refused in the API's one shape, {code, message}, like every
    other 400 it documents; ninja's other errors keep theirs."""
    if exc.status_code == 400:
        body = {"code": "malformed_body", "message": _("请求体不是有效的 JSON")}
    else:
        body = {"detail": str(exc)}
    return api.create_response(request, body, status=exc.status_code)


@api.get("/health", summary="Liveness check", tags=["system"])
def health(request):
    return {"status": "ok"}
