"""A chat export's conversations: where the group fell silent long enough, a new one began.

Timestamps are read as the export wrote them; day and month order is decided once per file,
since "03/05/2024" alone cannot say which comes first.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# A group answers within minutes, and a lunch break or a meeting rarely stretches a discussion
# past a couple of hours; beyond three, people come back for something else (the evening after
# the morning, the next day) and the hosts should hear it as another conversation.
THREAD_GAP = timedelta(hours=3)

_CLOCK = re.compile(r"(?P<h>\d{1,2})[:h.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?\s*(?:(?P<ampm>[AaPp])\.?\s?[Mm]\.?)?")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre")

Stamp = tuple[str, str]          # (date, time) as written in a message header


def _fields(date: str) -> list[int]:
    return [int(part) for part in re.split(r"[/.\-]", date)]


def _day_first(stamps: list[Stamp]) -> bool:
    dates = [_fields(date) for date, _ in stamps if not re.match(r"\d{4}\D", date)]
    if any(d[0] > 12 for d in dates if len(d) == 3):
        return True
    if any(d[1] > 12 for d in dates if len(d) == 3):
        return False
    # Undecidable dates: a 12-hour clock means a US export (month first); else the French way.
    return not any(re.search(r"[AaPp]\.?\s?[Mm]", time) for _, time in stamps)


def _when(stamp: Stamp, day_first: bool) -> datetime | None:
    date, time = stamp
    clock = _CLOCK.fullmatch(time.strip())
    fields = _fields(date)
    if clock is None or len(fields) != 3:
        return None
    if re.match(r"\d{4}\D", date):
        year, month, day = fields
    elif day_first:
        day, month, year = fields
    else:
        month, day, year = fields
    year += 2000 if year < 100 else 0
    hour = int(clock.group("h"))
    if clock.group("ampm"):
        hour = hour % 12 + (12 if clock.group("ampm") in "Pp" else 0)
    try:
        return datetime(year, month, day, hour, int(clock.group("m")), int(clock.group("s") or 0))
    except ValueError:
        return None


def times(stamps: list[Stamp | None]) -> list[datetime | None]:
    """Each message's time; None where it has no header or an impossible date."""
    known = [stamp for stamp in stamps if stamp]
    day_first = _day_first(known) if known else True
    return [_when(stamp, day_first) if stamp else None for stamp in stamps]


def thread_starts(when: list[datetime | None]) -> list[int]:
    """Indexes where a thread begins; a message without a time stays in the current thread."""
    starts = [0] if when else []
    last: datetime | None = None
    for i, moment in enumerate(when):
        if moment is None:
            continue
        if last is not None and moment - last > THREAD_GAP and i:
            starts.append(i)
        last = moment
    return starts


def french_title(moment: datetime) -> str:
    """"Le 1er mars 2024, 9 h", "Le 17 mars 2024, 21 h 05": how a host would say it."""
    day = "1er" if moment.day == 1 else str(moment.day)
    clock = f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")
    return f"Le {day} {_MONTHS[moment.month - 1]} {moment.year}, {clock}"
