# The date format syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
DATE_FORMAT = "D j M Y"  # Fri 4 Dec 2026
SHORT_DATE_FORMAT = "j M Y"  # 4 Dec 2026
MONTH_DAY_FORMAT = "D j M"  # Fri 4 Dec
YEAR_MONTH_FORMAT = "F Y"  # December 2026
TIME_FORMAT = "H:i"  # 07:00 (a hospital's day, not a.m./p.m.)
DATETIME_FORMAT = "j M Y H:i"  # 4 Dec 2026 07:00
SHORT_DATETIME_FORMAT = "j M H:i"  # 4 Dec 07:00
# Input formats: Django's English ones, ISO first.
