"""The patient's pages under h5/<account>/: consultations, surveys, polls, self-assessment."""

from django.urls import path

from .views import consultations

app_name = "engagement"

urlpatterns = [
    path("ask/", consultations.ask, name="ask"),
    path("consultations/", consultations.consultation_list, name="consultations"),
    path(
        "consultations/<int:consultation_id>/",
        consultations.consultation_detail,
        name="consultation",
    ),
    path(
        "consultations/<int:consultation_id>/photos/<int:photo_id>/",
        consultations.photo,
        name="photo",
    ),
    path(
        "consultations/<int:consultation_id>/person/",
        consultations.need_person,
        name="need_person",
    ),
]
