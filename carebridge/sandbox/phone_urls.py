"""/sandbox/…: the phone simulator."""

from django.urls import path

from .phone import endpoints, pay, views

urlpatterns = [
    path("", views.index, name="phone"),
    path("phone/users", views.create_user, name="phone_create_user"),
    path("phone/select", views.select_user, name="phone_select_user"),
    path("phone/snapshot", endpoints.snapshot, name="phone_snapshot"),
    path("phone/follow", endpoints.follow, name="phone_follow"),
    path("phone/unfollow", endpoints.unfollow, name="phone_unfollow"),
    path("phone/send", endpoints.send, name="phone_send"),
    path("phone/menu", endpoints.tap_menu, name="phone_menu"),
    path("phone/messages", endpoints.poll, name="phone_messages"),
    path("phone/pay/sheet", pay.pay_sheet, name="phone_pay_sheet"),
    path("phone/pay/confirm", pay.pay_confirm, name="phone_pay_confirm"),
]
