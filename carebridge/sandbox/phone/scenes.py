"""The account's parametric QR codes the phone can scan: the QrScene rows staff created and the
tickets WeChat (the sandbox) issued for them."""

from django.utils import timezone

from carebridge.wechat.models import QrScene

from ..models import SandboxQrTicket
from .actions import PhoneRefused


def for_account(account, app_id: str) -> list[dict]:
    """[{"label", "scene", "ticket", "expired"}] for the simulator's scan list."""
    now = timezone.now()
    found, seen = [], set()
    for row in QrScene.objects.filter(account=account).order_by("id"):
        if not row.scene:
            continue
        expired = row.expires_at is not None and row.expires_at <= now
        found.append(
            {"label": row.label, "scene": row.scene, "ticket": row.ticket, "expired": expired}
        )
        seen.add(row.ticket)
    for ticket in SandboxQrTicket.objects.filter(app_id=app_id).order_by("id"):
        if ticket.ticket in seen:
            continue
        expired = ticket.expires_at is not None and ticket.expires_at <= now
        found.append(
            {
                "label": ticket.scene,
                "scene": ticket.scene,
                "ticket": ticket.ticket,
                "expired": expired,
            }
        )
    return found


def resolve(account, app_id: str, data: dict) -> tuple[str, str] | None:
    """(scene, ticket) the follow goes through: ("", "") for a plain follow, None if the code is
    not one of the account's. A scanned ticket names its own scene, as on WeChat."""
    ticket, scene = data.get("ticket") or "", data.get("scene") or ""
    if ticket:
        row = SandboxQrTicket.objects.filter(app_id=app_id, ticket=ticket).first()
        if row is None:
            return None
        if row.expires_at is not None and row.expires_at <= timezone.now():
            raise PhoneRefused("expired")
        return row.scene, ticket
    if not scene:
        return "", ""
    for known in for_account(account, app_id):
        if known["scene"] == scene:
            if known["expired"]:
                raise PhoneRefused("expired")
            return scene, known["ticket"]
    return None
