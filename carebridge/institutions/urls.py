"""Mounted at ``h5/<slug:slug>/`` (slug = the WeChat account's slug)."""

from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<int:department_id>/", views.department_detail, name="department"),
    path("doctors/<int:doctor_id>/", views.doctor_detail, name="doctor"),
    path("navigation/", views.navigation, name="navigation"),
    path("search/", views.search, name="search"),
    path("elder/", views.elder_mode, name="elder"),  # 长辈版: the switch
]
