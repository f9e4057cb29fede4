"""The province's time: the portal shows, compares and exports every time in one time zone
(``--timezone``, Asia/Ho_Chi_Minh by default), never in whatever zone the server machine is
set to, and every time it shows says which zone it is in."""

from __future__ import annotations

import datetime as dt

__all__ = ["DEFAULT_ZONE", "load_zone", "zone_label", "when", "iso"]

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
# Vietnam has kept UTC+7 without daylight saving since 1975: where no time zone database is
# installed (Windows without the tzdata package) its zone is that offset.
_FIXED = {"Asia/Ho_Chi_Minh": 7, "Asia/Saigon": 7, "Asia/Bangkok": 7, "UTC": 0, "Etc/UTC": 0}


def load_zone(name: str) -> dt.tzinfo | None:
    """The time zone called ``name`` (an IANA name such as ``Asia/Ho_Chi_Minh``); None if unknown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        hours = _FIXED.get(name)
        return dt.timezone(dt.timedelta(hours=hours), name) if hours is not None else None


def zone_label(moment: dt.datetime) -> str:
    """``UTC+07:00``: the offset of ``moment`` (aware), as a reader outside the province reads it."""
    offset = moment.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def when(ts: float | None, zone: dt.tzinfo) -> str:
    """``16/11/2020 08:30:00 UTC+07:00``: a moment as the pages show it ("" for none)."""
    if not ts:
        return ""
    moment = dt.datetime.fromtimestamp(ts, zone)
    return f"{moment:%d/%m/%Y %H:%M:%S} {zone_label(moment)}"


def iso(ts: float, zone: dt.tzinfo) -> str:
    """``2020-11-16T08:30:00+07:00``: a moment as the exports write it."""
    return dt.datetime.fromtimestamp(ts, zone).isoformat(timespec="seconds")


def deadline_end(deadline: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The last moment on time: the end of the deadline's day in the province."""
    return dt.datetime.combine(deadline, dt.time(23, 59, 59), zone)
