"""How dates and times read, once per language (Django's ``FORMAT_MODULE_PATH``).

Templates name the format, never spell it: ``{{ session.date|date:"DATE_FORMAT" }}``; Python
uses ``django.utils.formats.date_format(value, "DATE_FORMAT")``. The set:

==========================  ======================  ==================  =====================
name                        中文                     English             for
==========================  ======================  ==================  =====================
``DATE_FORMAT``             2026年12月4日 星期五      Fri 4 Dec 2026      a day: a visit, a notice
``SHORT_DATE_FORMAT``       2026年12月4日            4 Dec 2026          a date whose weekday
                                                                         does not matter
``MONTH_DAY_FORMAT``        12月4日 星期五           Fri 4 Dec           a day of the coming weeks
``TIME_FORMAT``             07:00                   07:00               a time of day
``DATETIME_FORMAT``         2026年12月4日 07:00      4 Dec 2026 07:00    a moment
``SHORT_DATETIME_FORMAT``   12月4日 07:00            4 Dec 07:00         a moment of the coming
                                                                         weeks
==========================  ======================  ==================  =====================

The back office shows dates and times in ``DATE_FORMAT`` and ``DATETIME_FORMAT`` by itself.
Machine formats stay ISO 8601: the API's JSON, CSV, WeChat template message fields.
"""
