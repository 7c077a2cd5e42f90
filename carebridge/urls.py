from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from carebridge.api import api

# The project's own pages with DEBUG off (carebridge/errors.py, templates/4xx.html, 500.html).
handler403 = "carebridge.errors.permission_denied"
handler404 = "carebridge.errors.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("wechat/", include("carebridge.wechat.urls")),
    path("api/", api.urls),
    path("billing/", include("carebridge.billing.notify_urls")),  # WeChat Pay's notify_url
    path("i18n/", include("django.conf.urls.i18n")),
    path("h5/<slug:slug>/news/", include("carebridge.content.urls")),
    path("h5/<slug:slug>/patients/", include("carebridge.patients.urls")),
    path("", include("carebridge.results.urls")),  # h5/<slug>/reports/, visits/; shared/
    path("h5/<slug:slug>/", include("carebridge.booking.urls")),  # booking/, appointments/
    # me/, orders/, bills/, deposit/
    path("h5/<slug:slug>/", include("carebridge.billing.urls")),
    # ask/, consultations/, surveys/, polls/, constitution/
    path("h5/<slug:slug>/", include("carebridge.engagement.urls")),
    path("h5/<slug:slug>/", include("carebridge.institutions.urls")),
]

if not settings.PRODUCTION:
    # Uploads (doctors' photos, article images) in the demo and in development, which have no
    # web server in front; in production the web server serves MEDIA_ROOT itself.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

if settings.SANDBOX_ENABLED:
    urlpatterns += [
        path("sandbox/", include("carebridge.sandbox.urls")),
        path("", RedirectView.as_view(url="/sandbox/", permanent=False)),
    ]
else:
    urlpatterns += [path("", RedirectView.as_view(url="/admin/", permanent=False))]
