"""Hold the simulated phone in tests: make a SandboxUser the client's current WeChat user."""

from django.http import HttpResponse
from django.test import RequestFactory

from carebridge.sandbox.phone.actions import create_user
from carebridge.sandbox.phone.identity import COOKIE, remember_user


def hold_phone(client, user):
    """Set the simulator's signed cookie on ``client`` as the phone page would."""
    response = HttpResponse()
    request = RequestFactory().get("/")
    request.COOKIES.update({k: v.value for k, v in client.cookies.items()})
    request.session = client.session
    remember_user(request, response, user)
    client.cookies[COOKIE] = response.cookies[COOKIE].value
    return user


def new_user(client, account, nickname="小林", subscribed=False, snapshot=False):
    user = create_user(account, nickname)
    if subscribed or snapshot:
        user.subscribed, user.snapshot = subscribed, snapshot
        user.save(update_fields=["subscribed", "snapshot"])
    return hold_phone(client, user)
