"""H5 pages of booking, mounted under h5/<slug>/ (carebridge/urls.py)."""

from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("booking/", views.departments, name="departments"),
    path("booking/department/<int:department_id>/", views.department, name="department"),
    path("booking/session/<int:session_id>/", views.session, name="session"),
    path("booking/session/<int:session_id>/slot/<int:slot_id>/", views.confirm, name="confirm"),
    path("booking/queues/", views.queues, name="queues"),
    path("queue/", views.queues, name="queue"),  # the menu's 候诊排队 (seed 001)
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:appointment_id>/", views.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
]
