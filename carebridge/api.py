"""The JSON API for HIS, kiosks and windows (OpenAPI docs at /api/docs)."""

from ninja import NinjaAPI, Swagger

from carebridge.booking.api import router as booking_router
from carebridge.institutions.api import router as institutions_router
from carebridge.integrations.api import router as integrations_router

api = NinjaAPI(
    title="CareBridge API",
    version="1",
    description="健康桥 JSON API for hospital systems: HIS, kiosks, registration windows.",
    urls_namespace="api",
    # No badge fetched from validator.swagger.io: the docs work with no internet.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/institutions", institutions_router)
api.add_router("/booking", booking_router)
api.add_router("/integrations", integrations_router)


@api.get("/health", summary="Liveness check", tags=["system"])
def health(request):
    return {"status": "ok"}
