"""What a web sign-in teaches us about a user."""

from django.db import transaction

from ..models import Follower


@transaction.atomic
def record_web_user(account, openid: str, unionid: str = "", nickname: str = "") -> Follower:
    """The Follower behind a web sign-in (created for a visitor who does not follow the account),
    with the unionid and nickname snsapi_userinfo revealed."""
    follower, _ = Follower.objects.select_for_update().get_or_create(account=account, openid=openid)
    changed = []
    if unionid and follower.unionid != unionid:
        follower.unionid = unionid
        changed.append("unionid")
    if nickname and follower.nickname != nickname[:100]:
        follower.nickname = nickname[:100]
        changed.append("nickname")
    if changed:
        follower.save(update_fields=changed)
    return follower
