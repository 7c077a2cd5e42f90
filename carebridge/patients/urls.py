"""Mounted at /h5/<account slug>/patients/ (carebridge/urls.py)."""

from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("add/", views.patient_add, name="add"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/default/", views.patient_set_default, name="default"),
    path("<int:pk>/delete/", views.patient_delete, name="delete"),
]
