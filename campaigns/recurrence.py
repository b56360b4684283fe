"""Occurrences of calendar events, expanded on the event's own wall-clock time.

A sitting "every Tuesday at 14:30 in Geneva" stays at 14:30 Geneva time after the clocks
change, so recurrences are expanded on naive local times in the event's zone and only then
turned into UTC. All-day events recur on dates.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from dateutil.rrule import rrulestr

from advocacy.zones import zone

UTC = dt.UTC
UTC_ZONE = zoneinfo.ZoneInfo("UTC")

# A recurrence without an end would expand forever; nothing we show or plan looks further.
MAX_OCCURRENCES = 5000


@dataclass(frozen=True)
class Occurrence:
    start: dt.datetime  # aware, UTC
    end: dt.datetime | None  # aware, UTC
    all_day: bool
    time_zone: str

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(zone(self.time_zone))

    @property
    def local_end(self) -> dt.datetime | None:
        return self.end.astimezone(zone(self.time_zone)) if self.end else None


def validate_rrule(rule: str) -> None:
    """Raise ValueError with the parser's reason when the RRULE cannot be used."""
    if not rule:
        return
    rrulestr(_rrule_line(rule, UTC_ZONE), dtstart=dt.datetime(2000, 1, 1), forceset=True)


def _rrule_line(rule: str, tz: zoneinfo.ZoneInfo | None = None) -> str:
    rule = rule.strip()
    if tz is not None:
        rule = UNTIL_UTC.sub(lambda match: _until_local(match, tz), rule)
    return rule if rule.upper().startswith("RRULE:") else f"RRULE:{rule}"


# RFC 5545 lets UNTIL be a UTC instant ("...Z"); we expand on naive local time, so such an
# UNTIL becomes the same instant on the event's local clock.
UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def _until_local(match: re.Match, tz: zoneinfo.ZoneInfo) -> str:
    instant = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return f"UNTIL={instant.astimezone(tz):%Y%m%dT%H%M%S}"


def _local_naive(value: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return value.astimezone(tz).replace(tzinfo=None)


def _to_utc(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    # fold=0 (PEP 495): in the repeated hour when clocks go back this is the first of the
    # two; a time that does not exist (clocks go forward) is read with the offset before
    # the change, which moves it forward by the gap, as calendar programs do.
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _parse_instants(values: list[str]) -> set[dt.datetime]:
    instants = set()
    for value in values or []:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        instants.add(parsed.astimezone(UTC))
    return instants


def occurrences(
    *,
    start: dt.datetime,
    end: dt.datetime | None,
    time_zone: str,
    all_day: bool = False,
    rrule: str = "",
    exdates: list[str] | None = None,
    rdates: list[str] | None = None,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> list[Occurrence]:
    """Occurrences overlapping [window_start, window_end), in start order.

    `start` and `end` are aware datetimes of the first occurrence; `exdates`/`rdates` are ISO
    instants. An event without an end is treated as a moment (or one day when all-day).
    """
    tz = zone(time_zone)
    local_start = _local_naive(start, tz)
    # Wall-clock length: "14:30-16:00" stays 90 minutes of local time in every occurrence.
    duration = (_local_naive(end, tz) - local_start) if end else None
    skipped = _parse_instants(exdates or [])
    starts: list[dt.datetime] = []
    if rrule:
        rule_set = rrulestr(_rrule_line(rrule, tz), dtstart=local_start, forceset=True)
        # Look back by the duration so an occurrence that began before the window but is
        # still going on inside it is included.
        reach_back = duration or dt.timedelta(days=1 if all_day else 0)
        after = _local_naive(window_start - reach_back, tz) - dt.timedelta(seconds=1)
        before = _local_naive(window_end, tz) + dt.timedelta(days=1)
        for count, local in enumerate(rule_set.between(after, before, inc=True)):
            if count >= MAX_OCCURRENCES:
                break
            starts.append(_to_utc(local, tz))
    else:
        starts.append(start.astimezone(UTC))
    starts.extend(_parse_instants(rdates or []))

    found = []
    for occurrence_start in sorted(set(starts)):
        if occurrence_start in skipped:
            continue
        occurrence_end = _occurrence_end(occurrence_start, duration, tz, all_day)
        finish = occurrence_end or occurrence_start
        overlaps = occurrence_start < window_end and (
            finish > window_start or occurrence_start >= window_start
        )
        if overlaps:
            found.append(Occurrence(occurrence_start, occurrence_end, all_day, time_zone))
    return found


def _occurrence_end(
    occurrence_start: dt.datetime,
    duration: dt.timedelta | None,
    tz: zoneinfo.ZoneInfo,
    all_day: bool,
) -> dt.datetime | None:
    if duration is None:
        return None
    if all_day:
        # Whole days: add them to the local date, so a day stays a day across DST changes.
        local = _local_naive(occurrence_start, tz)
        return _to_utc(local + dt.timedelta(days=round(duration.total_seconds() / 86400)), tz)
    local = _local_naive(occurrence_start, tz)
    return _to_utc(local + duration, tz)


def event_occurrences(
    event, window_start: dt.datetime, window_end: dt.datetime
) -> list[Occurrence]:
    """Occurrences of a CalendarEvent in a window."""
    return occurrences(
        start=event.start,
        end=event.end,
        time_zone=event.time_zone,
        all_day=event.all_day,
        rrule=event.rrule,
        exdates=event.exdates,
        rdates=event.rdates,
        window_start=window_start,
        window_end=window_end,
    )
