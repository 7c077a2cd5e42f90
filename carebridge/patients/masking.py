"""What a screen may show of a number or a name: never the whole of it."""


def mask_id_number(value: str) -> str:
    """``110101199001011234`` → ``110***********1234``; short numbers keep less."""
    if not value:
        return ""
    if len(value) >= 10:
        head, tail = 3, 4
    elif len(value) >= 6:
        head, tail = 1, 2
    else:
        head, tail = 0, 0
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三明`` → ``张*明``, ``张三`` → ``张*``: enough for staff to tell rows apart."""
    if len(value) <= 1:
        return "*" * len(value)
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
