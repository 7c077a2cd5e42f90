# The date format syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
DATE_FORMAT = "Y年n月j日 l"  # 2026年12月4日 星期五
SHORT_DATE_FORMAT = "Y年n月j日"  # 2026年12月4日
MONTH_DAY_FORMAT = "n月j日 l"  # 12月4日 星期五
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年12月
TIME_FORMAT = "H:i"  # 07:00
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年12月4日 07:00
SHORT_DATETIME_FORMAT = "n月j日 H:i"  # 12月4日 07:00

# Typed in forms (strptime syntax): ISO first, so the back office's date fields show
# 2026-12-04 in both languages; the other forms staff type are still understood.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M",
]
