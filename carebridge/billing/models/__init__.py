from .merchants import Merchant, VerifyMode

__all__ = ["Merchant", "VerifyMode"]
