"""Router actions: named functions a keyword rule or a menu key can be bound to.

An action takes a :class:`Context` and returns its answer: a ``str`` (a text message), a list
of article dicts (``title``, ``description``, ``picurl``, ``url``: a news message) or ``None``
(no answer). Register one with ``@action("name", label=_("…"), slow=False)``; the back office
offers every registered name in a dropdown. A ``slow`` action may take longer than WeChat's 5
seconds: the callback answers ``success`` at once and the worker sends the answer afterwards as a
customer-service message (``slow_replies``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from carebridge.institutions.models import WeChatAccount

from .messages import Message
from .models import Follower
from .models.routing import ACTIONS

Answer = str | list[dict] | None


@dataclass(frozen=True)
class Context:
    account: WeChatAccount
    follower: Follower | None
    message: Message
    # The message text without the keyword that matched it ("找医生 张" → "张").
    query: str = ""


@dataclass(frozen=True)
class Action:
    name: str
    func: Callable[[Context], Answer]
    label: str
    slow: bool


def action(name: str, *, label=None, slow: bool = False):
    """Register the decorated function as the router action ``name``."""

    def register(func):
        if name in ACTIONS and ACTIONS[name].func is not func:
            raise ValueError(f"router action {name!r} is registered twice")
        ACTIONS[name] = Action(name=name, func=func, label=label or name, slow=slow)
        return func

    return register


def choices() -> list[tuple[str, str]]:
    """(name, label) of every registered action, for the back office's dropdown."""
    return sorted(((a.name, f"{a.label} ({a.name})") for a in ACTIONS.values()), key=str)
