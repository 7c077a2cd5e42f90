"""The patient's pages under h5/<account>/: consultations, surveys, polls, self-assessment."""

from django.urls import path

from .views import constitution, consultations, polls, surveys

app_name = "engagement"

urlpatterns = [
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/<int:survey_id>/", surveys.survey_detail, name="survey"),
    path("polls/<int:poll_id>/", polls.poll_detail, name="poll"),
    path("polls/<int:poll_id>/counts/", polls.poll_counts, name="poll_counts"),
    path("constitution/", constitution.questionnaire, name="constitution"),
    path("constitution/<int:result_id>/", constitution.result, name="constitution_result"),
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
