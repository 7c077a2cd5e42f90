"""The date formats of carebridge/formats/ spelt out by hand, for tests of the pages."""

ZH_WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
EN_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def zh_date(d) -> str:
    """DATE_FORMAT: 2026年12月4日 星期五."""
    return f"{d.year}年{d.month}月{d.day}日 {ZH_WEEKDAYS[d.weekday()]}"


def en_date(d) -> str:
    """DATE_FORMAT: Fri 4 Dec 2026."""
    return f"{EN_WEEKDAYS[d.weekday()]} {d.day} {EN_MONTHS[d.month - 1]} {d.year}"


def zh_month_day(d) -> str:
    """MONTH_DAY_FORMAT: 12月4日 星期五."""
    return f"{d.month}月{d.day}日 {ZH_WEEKDAYS[d.weekday()]}"


def en_month_day(d) -> str:
    """MONTH_DAY_FORMAT: Fri 4 Dec."""
    return f"{EN_WEEKDAYS[d.weekday()]} {d.day} {EN_MONTHS[d.month - 1]}"
