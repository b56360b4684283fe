"""Time zones of imported files: IANA names, Windows names, and VTIMEZONEs that name
neither, matched to an IANA zone with the same offsets (rules in campaigns/ics/__init__.py)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

import icalendar
from django.utils.translation import gettext as _
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

UTC = dt.UTC
REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


class Problem(Exception):
    """One thing wrong with one component; the message says what, for the person importing."""


@dataclass(frozen=True)
class Zone:
    name: str  # IANA: shown, and used to expand recurrences
    label: str = ""  # the file's own TZID when it is not an IANA name
    tzinfo: dt.tzinfo | None = None  # the file's VTIMEZONE, to turn its local times into UTC

    def to_utc(self, local: dt.datetime) -> dt.datetime:
        # fold=0, as campaigns.recurrence does: a time in a gap moves forward by the gap.
        tzinfo = self.tzinfo or zoneinfo.ZoneInfo(self.name)
        return local.replace(tzinfo=tzinfo, fold=0).astimezone(UTC)

    def expansion_to_utc(self, local: dt.datetime) -> dt.datetime:
        """In the zone occurrences are expanded in, so exceptions match them exactly."""
        return local.replace(tzinfo=zoneinfo.ZoneInfo(self.name), fold=0).astimezone(UTC)


@functools.cache
def iana_names() -> dict[str, str]:
    names = zoneinfo.available_timezones()
    return {name.lower(): name for name in names if not name.startswith(("posix/", "right/"))}


def iana_name(tzid: str) -> str | None:
    """The IANA zone a TZID names, directly, behind a vendor prefix, or as a Windows name."""
    cleaned = tzid.strip().strip('"').strip("/")
    names = iana_names()
    parts = cleaned.split("/")
    for first in range(len(parts)):
        found = names.get("/".join(parts[first:]).lower())
        if found:
            return found
    windows = WINDOWS_TO_OLSON.get(cleaned)
    return names.get(windows.lower()) if windows else None


def fixed_offset_zone(offset: dt.timedelta) -> str | None:
    """The Etc/GMT zone of a whole-hour offset (POSIX signs: Etc/GMT-11 is UTC+11)."""
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest or not -12 <= hours <= 14:
        return None
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


# How much of a year a zone's offsets must share with a VTIMEZONE's to stand in for it: a
# few weeks' difference is an old rule for when summer time starts, not another place.
NEAR_MATCH = 0.9


def equivalent_zone(tzinfo: dt.tzinfo, year: int, label: str) -> str | None:
    """An IANA zone with the tzinfo's offsets through the year (sampled every other day at
    noon UTC): an exact match, else the closest above NEAR_MATCH. Ties go to a zone whose
    region or city the label names, then to the first by name."""
    start = dt.datetime(min(max(year, 1900), 2100), 1, 1, 12, tzinfo=UTC)
    samples = [start + dt.timedelta(days=day) for day in range(0, 365, 2)]
    wanted = [sample.astimezone(tzinfo).utcoffset() for sample in samples]
    if len(set(wanted)) == 1 and (fixed := fixed_offset_zone(wanted[0])):
        return fixed
    monthly = range(7, len(samples), 15)
    scored = []
    for name in sorted(iana_names().values()):
        if not name.startswith(REGIONS):
            continue
        zone = zoneinfo.ZoneInfo(name)
        rough = sum(samples[i].astimezone(zone).utcoffset() == wanted[i] for i in monthly)
        if rough < len(monthly) - 2:
            continue
        score = sum(
            s.astimezone(zone).utcoffset() == w for s, w in zip(samples, wanted, strict=True)
        )
        if score >= NEAR_MATCH * len(samples):
            scored.append((score, name))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    names = [name for score, name in scored if score == best]
    text = " ".join(re.split(r"[^a-z]+", label.lower()))
    for name in names:
        if name.rsplit("/", 1)[-1].replace("_", " ").lower() in text:
            return name
    for name in names:
        if name.split("/", 1)[0].lower() in text:
            return name
    return names[0]


class Zones:
    """Resolves the TZIDs of one file, following the rules in this module's docstring."""

    def __init__(self, vtimezones: dict[str, icalendar.Component], floating: str):
        self.vtimezones = vtimezones
        self.floating = Zone(floating)
        self._cache: dict[tuple[str, int], Zone] = {}

    def get(self, tzid: str, local: dt.datetime) -> Zone:
        key = (tzid, local.year)
        if key not in self._cache:
            self._cache[key] = self._resolve(tzid, local.year)
        zone = self._cache[key]
        if zone.name:
            return zone
        # No IANA zone keeps these offsets: show the event in the offset it starts with.
        offset = local - zone.to_utc(local).replace(tzinfo=None)
        return Zone(fixed_offset_zone(offset) or "UTC", label=zone.label, tzinfo=zone.tzinfo)

    def _resolve(self, tzid: str, year: int) -> Zone:
        name = iana_name(tzid)
        if name:
            return Zone(name)
        component = self.vtimezones.get(tzid)
        if component is None:
            raise Problem(
                _(
                    "the time zone “%(tzid)s” is neither a known zone nor defined by a "
                    "VTIMEZONE in the file"
                )
                % {"tzid": tzid}
            )
        try:
            # Not cached by icalendar, so two files that use one name differently never mix.
            tzinfo = tzp.create_timezone(component)
            dt.datetime(min(max(year, 1900), 2100), 6, 1, tzinfo=UTC).astimezone(tzinfo)
        except Exception as error:
            raise Problem(
                _("its time zone “%(tzid)s” cannot be read: %(error)s")
                % {"tzid": tzid, "error": error}
            ) from error
        return Zone(equivalent_zone(tzinfo, year, tzid) or "", label=tzid[:100], tzinfo=tzinfo)
