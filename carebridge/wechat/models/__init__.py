from .callbacks import CallbackReceipt
from .followers import CsGrant, Follower
from .menu import MenuButton
from .messaging import MassSend, TemplateSend
from .publish import FreePublish
from .qr import QrScene
from .quota import ApiQuota
from .routing import AutoReply

__all__ = [
    "ApiQuota",
    "AutoReply",
    "CallbackReceipt",
    "CsGrant",
    "Follower",
    "FreePublish",
    "MassSend",
    "MenuButton",
    "QrScene",
    "TemplateSend",
]
