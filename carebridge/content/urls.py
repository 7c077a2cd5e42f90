"""Mounted at ``h5/<slug:slug>/news/`` (slug = the WeChat account's slug)."""

from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("<int:article_id>/", views.article_detail, name="detail"),
    path("<int:article_id>/like/", views.like, name="like"),
]
