"""Reading an .ics file into events, and saving them by UID (rules in __init__.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

import icalendar
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar.prop import vRecur

from campaigns.ics.zones import Problem, Zone, Zones, iana_name
from campaigns.models import Calendar, CalendarEvent
from campaigns.recurrence import validate_rrule
from contacts.imports import MAX_MESSAGES, ImportResult

UTC = dt.UTC
MAX_BYTES = 10 * 1024 * 1024
BATCH = 500
Progress = Callable[[int, int], None]
# How many problems a result keeps word for word; the rest are only counted.
# What an import owns on an event; the rest is the app's and survives re-imports.
IMPORTED_FIELDS = (
    "title",
    "description",
    "start",
    "end",
    "time_zone",
    "time_zone_label",
    "all_day",
    "location",
    "online_url",
    "rrule",
    "exdates",
    "rdates",
)
# Components a VCALENDAR may hold; any of them may also stand at the top of a file.
CALENDAR_COMPONENTS = {"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"}
CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
NAME = re.compile(r"^[A-Za-z0-9-]+")


@dataclass
class IcsResult(ImportResult):
    """What an import did, or found wrong. Nothing is written when there are errors.

    The shared import result, with the number of events found and notes (things imported
    with a caveat) instead of counts per kind and warnings."""

    found: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.notes and len(self.notes) < MAX_MESSAGES:
            self.notes.append(message)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "found": self.found,
            "errors": self.error_count,
            "error_messages": self.errors,
            "notes": self.notes,
        }


@dataclass
class ParsedEvent:
    uid: str
    line: int
    fields: dict
    sequence: int = 0
    cancelled: bool = False
    # For a RECURRENCE-ID override: the series' UID and the occurrence it replaces.
    master_uid: str = ""
    replaces: str = ""


@dataclass
class When:
    """A DTSTART-like value: a date, or an instant with the zone it was written in."""

    date: dt.date | None = None
    utc: dt.datetime | None = None
    local: dt.datetime | None = None  # naive wall-clock time as written
    zone: Zone | None = None
    tzid: str = ""


def _when(prop, zones: Zones, *, floating: Zone | None = None, value=None) -> When:
    value = prop.dt if value is None else value
    if isinstance(value, tuple):  # a PERIOD: its start
        value = value[0]
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return When(date=value)
        raise Problem(
            _("a date, or a date and time, was expected, not “%(value)s”") % {"value": value}
        )
    tzid = str(prop.params.get("TZID", "")) if hasattr(prop, "params") else ""
    local = value.replace(tzinfo=None)
    try:
        if tzid:
            zone = zones.get(tzid, local)
            return When(utc=zone.to_utc(local), local=local, zone=zone, tzid=tzid)
        if value.tzinfo is not None:
            return When(utc=value.astimezone(UTC), local=None, zone=Zone("UTC"))
        zone = floating or zones.floating
        return When(utc=zone.to_utc(local), local=local, zone=zone)
    except (OverflowError, ValueError) as error:
        raise Problem(_("the time %(value)s is out of range") % {"value": value}) from error


# Reading a file


@dataclass
class Line:
    number: int
    text: str


def decode(data: bytes, result: IcsResult) -> str | None:
    if not data.strip():
        result.error(_("The file is empty."))
        return None
    if len(data) > MAX_BYTES:
        result.error(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_BYTES // (1024 * 1024)}
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        result.error(
            _(
                "line %(line)d: the file is not UTF-8 text (byte 0x%(byte)02X); save it as "
                "UTF-8 and try again."
            )
            % {"line": line, "byte": data[error.start]}
        )
        return None


def unfold(text: str) -> list[Line]:
    """Logical lines, each with the number of the physical line it starts on."""
    lines: list[Line] = []
    for number, physical in enumerate(re.split(r"\r?\n", text), start=1):
        if physical[:1] in (" ", "\t") and lines:
            # Blank lines before a continuation are dropped, as icalendar does: old Mozilla
            # exports fold "VERSION", "", " :2.0".
            while len(lines) > 1 and not lines[-1].text:
                lines.pop()
            lines[-1].text += physical[1:]
        else:
            lines.append(Line(number, physical))
    return lines


def _is_read(names: list[str]) -> bool:
    """Whether what is inside these components (outermost first) is imported: the calendar's
    own properties, events and time zones. To-dos, journals and the like are skipped."""
    return names[-1:] == ["VCALENDAR"] or any(n in ("VEVENT", "VTIMEZONE") for n in names)


def check_structure(lines: list[Line], result: IcsResult) -> list[Line]:
    """The BEGIN lines in file order, after checking that components nest and close."""
    stack: list[Line] = []
    begins: list[Line] = []
    for line in lines:
        if not line.text.strip():
            continue
        if CONTROL.search(line.text):
            result.error(_("line %(line)d holds a control character.") % {"line": line.number})
            return []
        name = NAME.match(line.text)
        if not name or ":" not in line.text:
            message = _("line %(line)d is not an iCalendar line: “%(text)s”") % {
                "line": line.number,
                "text": line.text[:80],
            }
            if stack and not _is_read([open_one.text for open_one in stack]):
                result.note(message + " " + _("(in a part that is not imported)"))
                continue
            result.error(message)
            return []
        keyword = name.group(0).upper()
        value = line.text.split(":", 1)[1].strip().upper()
        if keyword == "BEGIN":
            stack.append(Line(line.number, value))
            begins.append(Line(line.number, value))
        elif keyword == "END":
            if not stack or stack[-1].text != value:
                open_one = stack[-1] if stack else None
                result.error(
                    _("line %(line)d: END:%(name)s does not close %(open)s")
                    % {
                        "line": line.number,
                        "name": value,
                        "open": f"BEGIN:{open_one.text} (line {open_one.number})"
                        if open_one
                        else _("anything"),
                    }
                )
                return []
            stack.pop()
        elif not stack and keyword != "X-COMMENT":
            result.error(
                _("line %(line)d: %(name)s stands outside any component")
                % {"line": line.number, "name": keyword}
            )
            return []
    if stack:
        result.error(
            _("line %(line)d: BEGIN:%(name)s is never closed (the file ends first)")
            % {"line": stack[-1].number, "name": stack[-1].text}
        )
        return []
    if not begins:
        result.error(_("The file holds no calendar (no BEGIN:VCALENDAR)."))
    return begins


def _describe(component: icalendar.Component, line: int | None) -> str:
    label = component.name
    summary = component.get("SUMMARY")
    if summary:
        label += f" “{str(summary if not isinstance(summary, list) else summary[0])[:60]}”"
    elif component.get("UID"):
        label += f" {component.get('UID')}"
    return _("line %(line)s, %(component)s") % {"line": line or "?", "component": label}


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").replace("\x00", "").strip()


def _url(component: icalendar.Component) -> str:
    validate = URLValidator(schemes=["http", "https"])
    for name in ("URL", "CONFERENCE", "X-GOOGLE-CONFERENCE"):
        values = component.get(name)
        for value in values if isinstance(values, list) else [values]:
            text = _text(value)
            if not text or len(text) > 1000:
                continue
            try:
                validate(text)
            except ValidationError:
                continue
            return text
    return ""


def parse(data: bytes, *, default_time_zone: str = "UTC") -> tuple[list[ParsedEvent], IcsResult]:
    """Read an .ics file into events to save. On any error the list is empty."""
    result = IcsResult()
    text = decode(data, result)
    if text is None:
        return [], result
    begins = check_structure(unfold(text), result)
    if not result.ok:
        return [], result
    try:
        with warnings.catch_warnings():
            # Vendor-prefixed TZIDs warn; this module resolves TZIDs by its own rules.
            warnings.simplefilter("ignore")
            tops = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:
        result.error(_("The file cannot be read: %(error)s") % {"error": error})
        return [], result
    components = [component for top in tops for component in top.walk()]
    if [c.name.upper() for c in components] == [b.text for b in begins]:
        line_of = {id(c): b.number for c, b in zip(components, begins, strict=True)}
    else:
        line_of = {}
    _check_components(tops, line_of, result)
    if not result.ok:
        return [], result
    events = _read_events(tops, line_of, default_time_zone, result)
    if not result.ok:
        return [], result
    return events, result


def _check_components(tops, line_of: dict, result: IcsResult) -> None:
    for top in tops:
        if top.name != "VCALENDAR" and top.name not in CALENDAR_COMPONENTS:
            if top.name == "VCARD":
                message = _("this is a vCard (a contact), not a calendar")
            else:
                message = _("%(name)s cannot stand at the top of a calendar file") % {
                    "name": top.name
                }
            result.error(f"{_describe(top, line_of.get(id(top)))}: {message}")
    for top in tops:
        _check_errors(top, [], line_of, result)


def _check_errors(component, outer: list[str], line_of: dict, result: IcsResult) -> None:
    names = [*outer, component.name]
    for name, message in component.errors:
        text = f"{_describe(component, line_of.get(id(component)))}: "
        text += f"{name + ': ' if name else ''}{message}"
        if _is_read(names):
            result.error(text)
        else:
            result.note(text + " " + _("(in a part that is not imported)"))
    for sub in component.subcomponents:
        _check_errors(sub, names, line_of, result)


def _calendar_zone(tops, default_time_zone: str) -> str:
    for top in tops:
        if top.name == "VCALENDAR" and top.get("X-WR-TIMEZONE"):
            return iana_name(str(top["X-WR-TIMEZONE"])) or default_time_zone
    return default_time_zone


def _calendar_names_zone(tops) -> bool:
    return any(
        top.name == "VCALENDAR" and iana_name(str(top.get("X-WR-TIMEZONE", ""))) for top in tops
    )


def _read_events(tops, line_of: dict, default_time_zone: str, result: IcsResult):
    vtimezones = {}
    for top in tops:
        for component in top.walk("VTIMEZONE"):
            vtimezones.setdefault(str(component.get("TZID", "")), component)
    floating = _calendar_zone(tops, default_time_zone)
    zones = Zones(vtimezones, floating)
    display_utc_in = floating if _calendar_names_zone(tops) else "UTC"
    events: dict[str, ParsedEvent] = {}
    for top in tops:
        for component in top.walk("VEVENT"):
            line = line_of.get(id(component), 0)
            result.found += 1
            try:
                parsed = read_event(component, zones, line, result, display_utc_in)
            except Problem as problem:
                result.error(f"{_describe(component, line or None)}: {problem}")
                continue
            except Exception as error:  # a file must never crash the import
                result.error(
                    f"{_describe(component, line or None)}: "
                    + _("cannot be read (%(error)s)") % {"error": error}
                )
                continue
            _keep(events, parsed, result)
    _apply_overrides(events)
    if not result.found:
        result.note(_("The file holds no events."))
    return list(events.values())


def _keep(events: dict[str, ParsedEvent], parsed: ParsedEvent, result: IcsResult) -> None:
    earlier = events.get(parsed.uid)
    if earlier is not None:
        result.note(
            _("UID %(uid)s appears more than once; the latest version was kept.")
            % {"uid": parsed.uid}
        )
        if earlier.sequence > parsed.sequence:
            return
    events[parsed.uid] = parsed


def _apply_overrides(events: dict[str, ParsedEvent]) -> None:
    """An override replaces one occurrence of its series: that occurrence is skipped."""
    for event in list(events.values()):
        master = events.get(event.master_uid) if event.master_uid else None
        if master is not None and not master.cancelled:
            exdates = set(master.fields["exdates"]) | {event.replaces}
            master.fields["exdates"] = sorted(exdates)
        if event.master_uid and event.cancelled:
            del events[event.uid]


def _generated_uid(component: icalendar.Component) -> str:
    parts = [component.get(name) for name in ("DTSTART", "SUMMARY", "RECURRENCE-ID")]
    text = "|".join(p.to_ical().decode() if hasattr(p, "to_ical") else str(p) for p in parts)
    return "generated-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _first(component: icalendar.Component, name: str):
    value = component.get(name)
    return value[0] if isinstance(value, list) and value else value


def _isoformat(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def read_event(
    component: icalendar.Component,
    zones: Zones,
    line: int,
    result: IcsResult,
    display_utc_in: str = "UTC",
) -> ParsedEvent:
    start_prop = _first(component, "DTSTART")
    if start_prop is None:
        raise Problem(_("it has no start (DTSTART)"))
    start = _when(start_prop, zones)
    if start.date is not None:
        fields = _all_day_times(component, start, zones)
    else:
        fields = _timed_times(component, start, zones)
    zone = Zone(fields["time_zone"], tzinfo=None)
    fields["rrule"] = _rrule(component, fields, result)
    fields["exdates"] = _instants(component, "EXDATE", fields, zones, zone, start)
    fields["rdates"] = _instants(component, "RDATE", fields, zones, zone, start)
    if component.get("EXRULE"):
        result.note(_("EXRULE is not supported (RFC 5545 retired it); it was ignored."))
    single_utc = start.utc is not None and start.local is None
    if single_utc and not fields["rrule"] and not fields["rdates"]:
        fields["time_zone"] = display_utc_in  # a single UTC event, shown in the calendar's zone
    uid = _text(component.get("UID"))[:400] or _generated_uid(component)
    fields.update(
        title=_text(component.get("SUMMARY"))[:300] or _("Untitled event"),
        description=_text(component.get("DESCRIPTION")),
        location=_text(component.get("LOCATION"))[:300],
        online_url=_url(component),
    )
    parsed = ParsedEvent(uid=uid, line=line, fields=fields)
    parsed.cancelled = _text(component.get("STATUS")).upper() == "CANCELLED"
    try:
        parsed.sequence = int(_text(component.get("SEQUENCE")) or 0)
    except ValueError:
        parsed.sequence = 0
    recurrence_id = _first(component, "RECURRENCE-ID")
    if recurrence_id is not None:
        replaced = _exception_instant(_when(recurrence_id, zones, floating=zone), fields, zone)
        parsed.master_uid = uid
        parsed.replaces = _isoformat(replaced)
        stamp = replaced.strftime("%Y%m%dT%H%M%SZ")
        parsed.uid = f"{uid}#{stamp}"
        parsed.fields["rrule"] = ""  # an override is one occurrence
    return parsed


def _all_day_times(component, start: When, zones: Zones) -> dict:
    zone = zones.floating
    first = start.date
    end_prop = _first(component, "DTEND")
    duration = _first(component, "DURATION")
    if end_prop is not None:
        end = _when(end_prop, zones)
        if end.date is None:
            raise Problem(_("DTSTART is a date but DTEND a date and time"))
        last = max(end.date, first + dt.timedelta(days=1))
        if end.date < first:
            raise Problem(_("it ends (DTEND) before it starts (DTSTART)"))
    elif duration is not None:
        days = _duration(duration).days + (1 if _duration(duration).seconds else 0)
        if days < 0:
            raise Problem(_("its DURATION is negative"))
        last = first + dt.timedelta(days=max(days, 1))
    else:
        last = first + dt.timedelta(days=1)
    try:
        return {
            "start": zone.to_utc(dt.datetime.combine(first, dt.time())),
            "end": zone.to_utc(dt.datetime.combine(last, dt.time())),
            "time_zone": zone.name,
            "time_zone_label": "",
            "all_day": True,
        }
    except (OverflowError, ValueError) as error:
        raise Problem(_("its dates are out of range")) from error


def _duration(prop) -> dt.timedelta:
    value = prop.dt if hasattr(prop, "dt") else prop
    if not isinstance(value, dt.timedelta):
        raise Problem(_("its DURATION is not a duration"))
    return value


def _timed_times(component, start: When, zones: Zones) -> dict:
    zone = start.zone
    end_prop = _first(component, "DTEND")
    duration = _first(component, "DURATION")
    end = None
    try:
        if end_prop is not None:
            end_when = _when(end_prop, zones, floating=zone)
            if end_when.utc is None:
                raise Problem(_("DTSTART is a date and time but DTEND a date"))
            end = end_when.utc
        elif duration is not None:
            length = _duration(duration)
            if length < dt.timedelta(0):
                raise Problem(_("its DURATION is negative"))
            # Days are wall-clock days; hours, minutes and seconds are exact.
            local = start.local or start.utc.astimezone(zoneinfo.ZoneInfo(zone.name))
            whole_days = dt.timedelta(days=length.days)
            day_end = (
                zone.to_utc(local.replace(tzinfo=None) + whole_days)
                if start.local
                else start.utc + whole_days
            )
            end = day_end + (length - whole_days)
    except OverflowError as error:
        raise Problem(_("its DURATION is out of range")) from error
    if end is not None and end < start.utc:
        raise Problem(_("it ends (DTEND) before it starts (DTSTART)"))
    return {
        "start": start.utc,
        "end": end,
        "time_zone": zone.name,
        "time_zone_label": zone.label,
        "all_day": False,
    }


def _rrule(component, fields: dict, result: IcsResult) -> str:
    rule = component.get("RRULE")
    if isinstance(rule, list):
        result.note(_("An event has more than one RRULE; only the first was used."))
        rule = rule[0]
    if not rule:
        return ""
    rule = vRecur(rule)
    scale = [str(getattr(s, "value", s)).upper() for s in rule.pop("RSCALE", [])]
    skip = [str(getattr(s, "value", s)).upper() for s in rule.pop("SKIP", [])]
    if scale and scale != ["GREGORIAN"]:
        result.note(
            _(
                "“%(title)s” repeats in the %(scale)s calendar (RFC 7529), which cannot be "
                "repeated here: only its first occurrence was imported."
            )
            % {"title": _text(component.get("SUMMARY")), "scale": scale[0].title()}
        )
        return ""
    if skip and skip != ["OMIT"]:
        result.note(
            _("SKIP=%(skip)s is not supported: occurrences on missing days are left out.")
            % {"skip": skip[0]}
        )
    tz = zoneinfo.ZoneInfo(fields["time_zone"])
    until = rule.get("UNTIL")
    if until:
        rule["UNTIL"] = [_local_until(until[0], tz, fields["all_day"])]
    text = rule.to_ical().decode()
    local_start = fields["start"].astimezone(tz).replace(tzinfo=None)
    try:
        validate_rrule(text)
        rrulestr(f"RRULE:{text}", dtstart=local_start, forceset=True)
    except (ValueError, TypeError, KeyError) as error:
        raise Problem(_("its RRULE cannot be used: %(error)s") % {"error": error}) from error
    if len(text) > 500:
        raise Problem(_("its RRULE is too long"))
    return text


def local_until_rule(rule: str, tz: zoneinfo.ZoneInfo, all_day: bool) -> str:
    """The rule with UNTIL in local time (a UTC UNTIL, as RFC 5545 writes it, converted)."""
    recur = vRecur.from_ical(rule)
    if recur.get("UNTIL"):
        recur["UNTIL"] = [_local_until(recur["UNTIL"][0], tz, all_day)]
    return recur.to_ical().decode()


def _local_until(until, tz: zoneinfo.ZoneInfo, all_day: bool):
    """UNTIL in the event's wall-clock time: occurrences are expanded on local times."""
    if isinstance(until, dt.datetime):
        local = until.astimezone(tz).replace(tzinfo=None) if until.tzinfo else until
        return local.date() if all_day else local
    if all_day:
        return until
    return dt.datetime.combine(until, dt.time(23, 59, 59))


def _exception_instant(when: When, fields: dict, zone: Zone) -> dt.datetime:
    """The instant of an EXDATE, RDATE or RECURRENCE-ID, as the expansion will produce it."""
    tz = zoneinfo.ZoneInfo(fields["time_zone"])
    if when.date is not None:
        # A date: the occurrence that day, at the series' own start time.
        start_time = fields["start"].astimezone(tz).time()
        local = dt.datetime.combine(when.date, dt.time() if fields["all_day"] else start_time)
        return zone.expansion_to_utc(local)
    same_zone = when.zone is not None and when.zone.name == fields["time_zone"]
    if when.local is not None and (same_zone or not when.tzid):
        return zone.expansion_to_utc(when.local)
    return when.utc


def _instants(component, name: str, fields: dict, zones: Zones, zone: Zone, start: When):
    values = component.get(name)
    if not values:
        return []
    instants = set()
    for prop in values if isinstance(values, list) else [values]:
        for item in getattr(prop, "dts", []):
            when = _when(prop, zones, floating=zone, value=item.dt)
            instants.add(_isoformat(_exception_instant(when, fields, zone)))
    return sorted(instants)


# Saving


@transaction.atomic
def save(
    *,
    calendar: Calendar,
    events: list[ParsedEvent],
    result: IcsResult,
    kind: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IcsResult:
    """Create or update the calendar's events by UID; count what changed (a dry run only
    counts, for the preview)."""
    Calendar.objects.select_for_update().filter(pk=calendar.pk).first()  # one import at a time
    existing = {event.source_uid: event for event in calendar.events.exclude(source_uid="")}
    now = timezone.now()
    to_create, to_update, to_delete = [], [], []
    for parsed in events:
        current = existing.get(parsed.uid)
        if parsed.cancelled:
            if current is not None:
                to_delete.append(current.pk)
                result.updated += 1
            continue
        if current is None:
            to_create.append(
                CalendarEvent(
                    calendar=calendar,
                    source_uid=parsed.uid,
                    kind=kind or CalendarEvent.Kind.OTHER,
                    **parsed.fields,
                )
            )
            result.created += 1
        elif any(getattr(current, name) != parsed.fields[name] for name in IMPORTED_FIELDS):
            for name in IMPORTED_FIELDS:
                setattr(current, name, parsed.fields[name])
            current.updated_at = now
            to_update.append(current)
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run:
        return result
    CalendarEvent.objects.filter(pk__in=to_delete).delete()
    writes = [(True, event) for event in to_create] + [(False, event) for event in to_update]
    # A batch at a time, so the upload page can show progress on a big file.
    for start in range(0, len(writes), BATCH):
        batch = writes[start : start + BATCH]
        CalendarEvent.objects.bulk_create([event for is_new, event in batch if is_new])
        CalendarEvent.objects.bulk_update(
            [event for is_new, event in batch if not is_new], [*IMPORTED_FIELDS, "updated_at"]
        )
        if progress:
            progress(start + len(batch), len(writes))
    return result


def import_file(
    *,
    calendar: Calendar,
    data: bytes,
    default_time_zone: str = "UTC",
    kind: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IcsResult:
    """Parse and, if the whole file is sound, save. Never raises for a bad file."""
    events, result = parse(data, default_time_zone=default_time_zone)
    if result.ok:
        save(
            calendar=calendar,
            events=events,
            result=result,
            kind=kind,
            dry_run=dry_run,
            progress=progress,
        )
    return result
