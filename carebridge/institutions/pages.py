"""Public H5 pages of an institution (About menu): no OAuth, a patient may read them before
following. The URL names the WeChat account; the institution is the account's."""

from functools import wraps

from django.db.models import FilteredRelation, Q
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
            _signed_in(request, follower)
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


def _signed_in(request, follower) -> None:
    request.follower = follower
    request.wechat_account = follower.account
    request.institution = follower.account.institution


def institution_row_page(rows, id_kwarg: str, row_kwarg: str):
    """``institution_page`` for a page of one row of the institution (an article): the view gets
    the row, among ``rows()`` of the account's institution, as ``row_kwarg`` in place of the
    URL's ``id_kwarg``, or the page is 404. For a reader not signed in (most of them: the page
    is public) the account, its institution and the row are one statement, not two
    (bench/RESULTS.md, 医院动态)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, slug, **kwargs):
            pk = kwargs.pop(id_kwarg)
            if follower := signed_in_follower(request, slug):
                _signed_in(request, follower)
                row = get_object_or_404(rows(), pk=pk, institution=request.institution)
            else:
                row = get_object_or_404(with_account(rows(), slug), pk=pk)
                request.wechat_account = row.account
                request.institution = row.account.institution = row.institution
            return view(request, *args, slug=slug, **{row_kwarg: row}, **kwargs)

        return wrapper

    return decorate


def with_account(rows, slug):
    """``rows`` (of a model with an ``institution``) of the account ``slug``'s active
    institution, each read with its institution and the account (``row.account``)."""
    accounts = FilteredRelation(
        "institution__wechat_accounts", condition=Q(institution__wechat_accounts__slug=slug)
    )
    return (
        rows.annotate(account=accounts)
        .select_related("institution", "account")
        .filter(account__slug=slug, institution__is_active=True)
    )


def page_context(request, **extra):
    """What every institution page's template needs (base.html reads ``institution``)."""
    return {"account": request.wechat_account, "institution": request.institution, **extra}
