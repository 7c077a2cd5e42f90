"""Public H5 pages of an institution (About menu): no OAuth, a patient may read them before
following. The URL names the WeChat account; the institution is the account's."""

from functools import wraps

from django.shortcuts import get_object_or_404

from carebridge.wechat.h5 import signed_in_follower

from .models import WeChatAccount


def institution_page(view):
    """For views taking ``slug`` (the account): sets ``request.wechat_account`` and
    ``request.institution``, or answers 404 for an unknown account or an inactive institution.
    A user signed in to the account also gets ``request.follower``: the three rows are one
    statement (``wechat_user_required`` and the page's shell then read none)."""

    @wraps(view)
    def wrapper(request, *args, slug, **kwargs):
        if follower := signed_in_follower(request, slug):
            request.follower = follower
            request.wechat_account = follower.account
            request.institution = follower.account.institution
            return view(request, *args, slug=slug, **kwargs)
        account = get_object_or_404(
            WeChatAccount.objects.select_related("institution"),
            slug=slug,
            institution__is_active=True,
        )
        request.wechat_account = account
        request.institution = account.institution
        return view(request, *args, slug=slug, **kwargs)

    return wrapper


def page_context(request, **extra):
    """What every institution page's template needs (base.html reads ``institution``)."""
    return {"account": request.wechat_account, "institution": request.institution, **extra}
