"""The custom menu as the phone sees it: the one last pushed to WeChat (the sandbox)."""

from ..models import SandboxMenu


def menu_buttons(app_id: str) -> list | None:
    """The menu as last pushed to WeChat, or None if none was."""
    menu = SandboxMenu.objects.filter(app_id=app_id).first()
    return menu.body.get("button", []) if menu else None


def button_at(buttons: list, path: str) -> dict | None:
    """The button at ``path`` ("2" a top button, "2.1" its second sub-button), or None."""
    level, button = buttons, None
    for index in (int(i) for i in path.split(".")):
        if not isinstance(level, list) or index >= len(level):
            return None
        button = level[index]
        level = button.get("sub_button") or []
    return button
