"""The bounds of the JSON API's input, shared by every router: a value outside them is a 422
naming the field before any query runs, never a database error (a 500).

- Ids are positive and fit a 64-bit integer (PostgreSQL's bigint, SQLite's INTEGER). In a JSON
  body they must be JSON integers: ``true`` is not session 1, ``"7"`` is not 7.
- Dates lie in 2000–2100, so date arithmetic on them cannot leave Python's calendar; a moment
  (date and time) carries its offset and lies in the same years.
- Text has a length and no NUL character (PostgreSQL refuses to compare text holding one).
"""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AwareDatetime, Field

MAX_ID = 2**63 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
NO_NUL = r"^[^\x00]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"

# The HIS's ids (bills, reports, visits): FHIR's id characters, and "_" and ":" that HIS
# numbers use. They appear in paths, so never "/" or spaces.
HIS_ID = r"^[A-Za-z0-9._:-]+$"
HisId = Annotated[str, Field(min_length=1, max_length=64, pattern=HIS_ID)]

# A row's id in a JSON body.
Id = Annotated[int, Field(strict=True, gt=0, le=MAX_ID)]
# A row's id in a path or a query string (text there, so not strict; never a boolean).
IdParam = Annotated[int, Field(gt=0, le=MAX_ID)]
Day = Annotated[
    date,
    Field(ge=FIRST_DAY, le=LAST_DAY, description=f"a date from {FIRST_DAY} to {LAST_DAY}"),
]

# A moment sent by another system: ISO 8601 with its offset ("2026-01-08T09:30:00+08:00").
Moment = Annotated[
    AwareDatetime,
    Field(
        ge=datetime(FIRST_DAY.year, 1, 1, tzinfo=UTC),
        le=datetime(LAST_DAY.year, 12, 31, tzinfo=UTC),
        description=f"a date and time with its offset, from {FIRST_DAY} to {LAST_DAY}",
    ),
]


def text(max_length: int, **kwargs):
    """A string of at most ``max_length`` characters with no NUL: ``Field`` arguments."""
    return Field(max_length=max_length, pattern=NO_NUL, **kwargs)
