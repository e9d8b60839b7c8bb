"""Working-hours arithmetic across IANA time zones.

Everyone is assumed to work 09:00-17:00 local time on the day in question; two
people overlap by the hours those windows share in UTC.
"""

import zoneinfo
from datetime import datetime, timedelta
from functools import lru_cache

from django.utils import timezone

WORK_START, WORK_END = 9, 17


def utc_offset_hours(zone: str, at: datetime | None = None) -> float:
    at = at or timezone.now()
    offset = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or timedelta(0)
    return offset.total_seconds() / 3600


def overlap_hours(zone_a: str, zone_b: str, at: datetime | None = None) -> float:
    """Hours of the 09-17 working day that two zones share (0-8)."""
    return overlap_of_offsets(utc_offset_hours(zone_a, at), utc_offset_hours(zone_b, at))


def overlap_of_offsets(offset_a: float, offset_b: float) -> float:
    """Hours of the 09-17 working day shared by two UTC offsets (in hours)."""
    gap = abs(offset_a - offset_b)
    # A gap over 12 hours is shorter the other way round the clock.
    gap = min(gap, 24 - gap)
    return max(0.0, (WORK_END - WORK_START) - gap)


@lru_cache(maxsize=64)
def _zones_by_offset(day: str, candidates: tuple[str, ...]) -> dict[float, tuple[str, ...]]:
    at = datetime.fromisoformat(day).replace(tzinfo=zoneinfo.ZoneInfo("UTC"), hour=12)
    groups: dict[float, list[str]] = {}
    for name in candidates:
        groups.setdefault(utc_offset_hours(name, at), []).append(name)
    return {offset: tuple(names) for offset, names in groups.items()}


def zones_overlapping(
    zone: str, min_hours: float, candidates: tuple[str, ...], at: datetime | None = None
) -> list[str]:
    """The ``candidates`` sharing at least ``min_hours`` of working time with ``zone``."""
    at = at or timezone.now()
    # Offsets change only with daylight saving, so one grouping per day is enough.
    groups = _zones_by_offset(at.date().isoformat(), candidates)
    mine = utc_offset_hours(zone, at)
    names: list[str] = []
    for offset, zones in groups.items():
        gap = abs(offset - mine)
        gap = min(gap, 24 - gap)
        if (WORK_END - WORK_START) - gap >= min_hours:
            names.extend(zones)
    return names
