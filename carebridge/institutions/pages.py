"""Public H5 pages of an institution (About menu): no OAuth, a patient may read them before
following. The URL names the WeChat account; the institution is the account's."""

from functools import wraps

from django.shortcuts import get_object_or_404

from .models import WeChatAccount


def institution_page(view):
    """For views taking ``slug`` (the account): sets ``request.wechat_account`` and
    ``request.institution``, or answers 404 for an unknown account or an inactive institution."""

    @wraps(view)
    def wrapper(request, *args, slug, **kwargs):
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
