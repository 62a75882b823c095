"""ISO dates from text, with messages that tell a wrong form from an impossible date."""

from __future__ import annotations

import datetime as dt
import re

from assetloc.errors import InputError

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(field: str, text: str) -> dt.date:
    """``text`` (YYYY-MM-DD) as a date; :class:`InputError` on ``field`` otherwise.

    ``2026-02-30`` is "not a valid date" (the form is right, the day does not exist);
    ``June 2031`` is "not a date in YYYY-MM-DD form".
    """
    s = text.strip()
    if _ISO.match(s):
        try:
            y, m, d = (int(part) for part in s.split("-"))
            return dt.date(y, m, d)
        except ValueError as err:
            raise InputError(field, f"not a valid date: {s!r} ({err})") from None
    raise InputError(field, f"not a date in YYYY-MM-DD form: {text!r}")
