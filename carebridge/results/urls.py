"""The patient's pages (under h5/<account>/) and the public page of a shared link."""

from django.urls import path

from .views import reports, shared, visits

app_name = "results"

urlpatterns = [
    path("h5/<slug:slug>/reports/", reports.report_list, name="list"),
    path("h5/<slug:slug>/reports/<int:report_id>/", reports.report_detail, name="report"),
    path("h5/<slug:slug>/reports/<int:report_id>/share/", reports.share, name="share"),
    path("h5/<slug:slug>/shares/<int:share_id>/revoke/", reports.revoke, name="revoke"),
    path("h5/<slug:slug>/visits/", visits.visit_list, name="visits"),
    path("h5/<slug:slug>/visits/<int:visit_id>/", visits.visit_detail, name="visit"),
    path("shared/reports/<str:token>/", shared.shared_report, name="shared"),
]
