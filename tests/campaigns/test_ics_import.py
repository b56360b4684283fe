"""iCalendar import: every file of two calendar libraries' test suites, and the rules that
real files need (see the docstring of campaigns/ics/__init__.py).

The files are read where they are, in ../shared/realdata/ics/. A file is refused when it is
broken (unparseable lines, unbalanced components, values that are not what their property
needs) or when one of its events cannot be placed on a calendar: no start (DTSTART, which
RFC 5545 requires), or a time zone that neither is known nor has a VTIMEZONE. The others
import, and importing them again changes nothing.
"""

import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from campaigns import ics
from campaigns.models import Calendar, CalendarEvent
from campaigns.recurrence import event_occurrences
from tests import factories

ICS = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "ics"
FILES = sorted(p for p in ICS.rglob("*") if p.is_file())
UTC = dt.UTC

NO_START = "it has no start (DTSTART)"
CAL = "icalendar-tests/calendars/"
EVENTS = "icalendar-tests/events/"
ALARMS = "icalendar-tests/alarms/"
# Each refused file, with what the message must say.
REFUSED = {
    ALARMS + "example.ics": "VALARM cannot stand at the top",
    ALARMS + "rfc_5545_absolute_alarm_example.ics": "VALARM cannot stand",
    ALARMS + "rfc_5545_end.ics": "VALARM cannot stand",
    ALARMS + "start_date.ics": "VALARM cannot stand",
    CAL + "big_bad_calendar.ics": "line 1: BEGIN:VCALENDAR is never closed",
    CAL + "broken_dtstart.ics": "DTSTART: Expected datetime",
    CAL + "broken_ical.ics": "DTSTART;;VALUE=DATE-TIME",
    CAL + "created_calendar_with_unicode_fields.ics": f"line 20, VEVENT: {NO_START}",
    CAL + "fuzz_testcase_0_char_in_component_name.ics": "line 1 holds a control character",
    CAL + "fuzz_testcase_invalid_month.ics": "is never closed",
    CAL + "fuzz_testcase_vtimezone_lone_cr.ics": "line 2 holds a control character",
    CAL + "invalid_duration.ics": "DURATION: Impractical",
    CAL + "issue_104_broken_calendar.ics": "line 13 is not an iCalendar line",
    CAL + "issue_1050_multiple_calendars.ics": NO_START,
    CAL + "issue_1050_uid_in_description.ics": NO_START,
    CAL + "issue_1081_invalid_rrule_freq.ics": "RRULE: Expected frequency",
    CAL + "issue_1081_invalid_start_and_end.ics": "DTEND: Expected datetime",
    CAL + "issue_1081_invalid_start_valid_end.ics": "DTSTART: Expected",
    CAL + "issue_1081_with_summary.ics": NO_START,
    CAL + "issue_1549_binary_attachment.ics": NO_START,
    CAL + "issue_1561_image_value.ics": NO_START,
    CAL + "issue_165_missing_event.ics": "RRULE: Expected weekday",
    CAL + "issue_168_input.ics": "line 6 is not an iCalendar line",
    CAL + "issue_178_component_with_invalid_name_represented.ics": "MYCOMP cannot stand",
    CAL + "issue_178_custom_component_contains_other.ics": "MYCOMPTOO cannot stand",
    CAL + "issue_322_expected_calendar.ics": NO_START,
    CAL + "issue_526_calendar_with_different_events.ics": "“Western/Central Europe” is neither",
    CAL + "issue_526_calendar_with_event_subset.ics": "is neither a known zone",
    CAL + "issue_526_calendar_with_events.ics": "is neither a known zone",
    CAL + "issue_526_calendar_with_shuffeled_events.ics": "is neither a known zone",
    CAL + "issue_722_missing_VTIMEZONE_custom.ics": "“CUSTOM_tzid” is neither",
    CAL + "issue_722_missing_timezones.ics": NO_START,
    CAL + "issue_798_related_to.ics": NO_START,
    CAL + "issue_82_expected_output.ics": NO_START,
    CAL + "multiple_timezones.ics": "not “08:30:00”",
    CAL + "parsing_error.ics": "EXDATE: Expected datetime",
    CAL + "parsing_error_in_UTC_offset.ics": "Offset must be less than 24 hours",
    CAL + "pr_480_summary_with_colon.ics": "is never closed",
    CAL + "rfc_5545_RDATE_example.ics": NO_START,
    CAL + "rfc_6868.ics": NO_START,
    CAL + "rfc_7256_multi_value_parameters.ics": NO_START,
    CAL + "rfc_7986_conferences.ics": NO_START,
    CAL + "rfc_7986_image.ics": NO_START,
    CAL + "rfc_9253_gap.ics": NO_START,
    CAL + "rfc_9253_related_to.ics": NO_START,
    CAL + "small_bad_calendar.ics": "is never closed",
    CAL + "timezone_rdate.ics": "line 53 is not an iCalendar line",
    CAL + "timezone_same_start_and_offset.ics": "END:VCALENDARD does not close",
    EVENTS + "event_with_escaped_character1.ics": NO_START,
    EVENTS + "event_with_escaped_character2.ics": NO_START,
    EVENTS + "event_with_escaped_character3.ics": NO_START,
    EVENTS + "event_with_escaped_character4.ics": NO_START,
    EVENTS + "event_with_escaped_characters.ics": NO_START,
    EVENTS + "event_with_rsvp.ics": NO_START,
    EVENTS + "event_with_unicode_organizer.ics": NO_START,
    EVENTS + "issue_100_transformed_doctests_into_unittests.ics": NO_START,
    EVENTS + "issue_104_mark_events_broken.ics": "line 9 is not an iCalendar line",
    EVENTS + "issue_355_url_escaping_empty_param.ics": NO_START,
    EVENTS + "issue_464_invalid_rdate.ics": "RDATE: Expected period format",
    EVENTS + "issue_64_event_with_ascii_summary.ics": NO_START,
    EVENTS + "issue_64_event_with_non_ascii_summary.ics": NO_START,
    EVENTS + "issue_82_expected_output.ics": NO_START,
    EVENTS + "rfc_7265_request_status.ics": NO_START,
    EVENTS + "rfc_9074_example_proximity.ics": NO_START,
    "vobject-tests/radicale-1587.vcf": "this is a vCard",
    "vobject-tests/simple_test.ics": NO_START,
    "vobject-tests/vobject_0050.ics": "DTEND: Expected datetime",
}


def name_of(path: Path) -> str:
    return path.relative_to(ICS).as_posix()


VALID = [p for p in FILES if name_of(p) not in REFUSED]
BROKEN = [p for p in FILES if name_of(p) in REFUSED]


@pytest.fixture
def calendar(organisation):
    return Calendar.objects.create(organisation=organisation, name="Imported")


def import_(calendar, data: bytes | str, zone: str = "Europe/Zurich") -> ics.IcsResult:
    if isinstance(data, str):
        data = data.encode()
    return ics.import_file(calendar=calendar, data=data, default_time_zone=zone)


def test_the_shared_files_are_there():
    assert len(FILES) > 150
    assert set(REFUSED) <= {name_of(p) for p in FILES}


@pytest.mark.parametrize("path", VALID, ids=name_of)
def test_valid_file_imports_and_reimport_changes_nothing(calendar, path):
    first = import_(calendar, path.read_bytes())
    assert first.ok, first.errors
    assert first.created == calendar.events.count()
    again = import_(calendar, path.read_bytes())
    assert (again.created, again.updated, again.errors) == (0, 0, [])
    assert again.unchanged == first.created
    assert calendar.events.count() == first.created


@pytest.mark.parametrize("path", BROKEN, ids=name_of)
def test_broken_file_is_refused_with_its_reason(calendar, path):
    result = import_(calendar, path.read_bytes())
    assert not result.ok
    assert any(REFUSED[name_of(path)] in message for message in result.errors), result.errors
    assert result.line().endswith(f"errors {result.error_count}")
    assert not calendar.events.exists()


def events_of(calendar) -> dict[str, CalendarEvent]:
    return {event.source_uid: event for event in calendar.events.all()}


def local(event: CalendarEvent) -> dt.datetime:
    return event.start.astimezone(zoneinfo.ZoneInfo(event.time_zone))


def test_outlook_zone_with_a_vtimezone_maps_to_an_iana_zone_and_keeps_its_name(calendar):
    assert import_(calendar, (ICS / "vobject-tests/ms_tzid.ics").read_bytes()).ok
    event = calendar.events.get()
    # 15:00 in Canberra, Melbourne, Sydney on 30 May 2008 (AEST, UTC+10).
    assert event.start == dt.datetime(2008, 5, 30, 5, 0, tzinfo=UTC)
    assert event.time_zone.startswith("Australia/")
    assert event.time_zone_label == "Canberra, Melbourne, Sydney"
    assert local(event).hour == 15


def test_non_ascii_zone_name_with_a_vtimezone(calendar):
    path = (
        ICS / "icalendar-tests/calendars/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics"
    )
    assert import_(calendar, path.read_bytes()).ok
    event = calendar.events.get()
    assert event.time_zone == "America/Sao_Paulo"
    assert event.time_zone_label == "(UTC-03:00) Brasília"
    assert local(event).strftime("%H:%M") == "13:30"


def test_fixed_offset_vtimezone_becomes_an_etc_zone(calendar):
    assert import_(
        calendar, (ICS / "icalendar-tests/calendars/issue_218_bad_tzid.ics").read_bytes()
    ).ok
    event = calendar.events.get()
    assert (event.time_zone, event.time_zone_label) == ("Etc/GMT-11", "UTC+11")
    assert local(event).strftime("%H:%M") == "23:00"


def test_vendor_prefixed_and_windows_zone_names_are_iana_zones(calendar):
    assert import_(
        calendar,
        (ICS / "icalendar-tests/calendars/issue_313_globally_unique_tzid.ics").read_bytes(),
    ).ok
    zones = {e.source_uid: (e.time_zone, e.time_zone_label) for e in calendar.events.all()}
    assert zones["libical-evolution@issue-313"] == ("Europe/Berlin", "")
    assert zones["multipart-olson@issue-313"] == ("America/Argentina/Buenos_Aires", "")
    assert ics.iana_name("W. Europe Standard Time") == "Europe/Berlin"
    assert ics.iana_name("Pacific Standard Time") == "America/Los_Angeles"
    assert ics.iana_name("Western/Central Europe") is None


def test_exdates_on_several_lines_remove_occurrences(calendar):
    path = ICS / "icalendar-tests/events/event_with_recurrence_exdates_on_different_lines.ics"
    assert import_(calendar, path.read_bytes()).ok
    event = calendar.events.get()
    assert event.rrule == "FREQ=WEEKLY;UNTIL=20120703T100000;BYDAY=TU"  # UNTIL in Vienna time
    found = event_occurrences(
        event, dt.datetime(2012, 1, 1, tzinfo=UTC), dt.datetime(2013, 1, 1, tzinfo=UTC)
    )
    days = [o.local_start.strftime("%m-%d %H:%M") for o in found]
    # Tuesdays from 27 March to 3 July at 10:00 Vienna time, less the five EXDATEs.
    assert days[0] == "03-27 10:00" and days[-1] == "07-03 10:00"
    assert "04-03 10:00" not in days and "05-29 10:00" not in days
    assert len(days) == 15 - 5


def test_recurrence_id_override_is_its_own_event_and_skipped_in_the_series(calendar):
    path = ICS / "icalendar-tests/calendars/rfc_7265_appendix_example_2_ical.ics"
    assert import_(calendar, path.read_bytes()).ok
    uid = "00959BC664CA650E933C892C@example.com"
    events = events_of(calendar)
    override = events[f"{uid}#20060104T170000Z"]
    series = events[uid]
    assert local(override).strftime("%d %H:%M") == "04 14:00"
    assert series.end - series.start == dt.timedelta(hours=1)  # DURATION:PT1H
    found = event_occurrences(
        series, dt.datetime(2006, 1, 1, tzinfo=UTC), dt.datetime(2006, 2, 1, tzinfo=UTC)
    )
    starts = [o.local_start.strftime("%d %H:%M") for o in found]
    # Daily at 12:00 for five days, the 4th moved to 14:00 (the override), plus the RDATE.
    assert starts == ["02 12:00", "02 15:00", "03 12:00", "05 12:00", "06 12:00"]


def test_all_day_events_end_exclusive_and_without_dtend_last_one_day(calendar):
    result = import_(
        calendar,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Entry into force\r\n"
        "DTSTART;VALUE=DATE:20100801\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Meeting of states parties\r\n"
        "DTSTART;VALUE=DATE:20260908\r\nDTEND;VALUE=DATE:20260911\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
    )
    assert result.ok
    events = events_of(calendar)
    anniversary, msp = events["a"], events["b"]
    assert anniversary.all_day and anniversary.time_zone == "Europe/Zurich"
    assert local(anniversary).date() == dt.date(2010, 8, 1)
    assert anniversary.end - anniversary.start == dt.timedelta(days=1)
    assert (msp.end.astimezone(zoneinfo.ZoneInfo("Europe/Zurich")).date()) == dt.date(2026, 9, 11)


def test_events_without_dtend_use_duration_or_are_a_moment(calendar):
    result = import_(
        calendar,
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:d\nDTSTART;TZID=Europe/Zurich:20260328T230000\n"
        "DURATION:P1DT1H\nEND:VEVENT\nBEGIN:VEVENT\nUID:m\nDTSTART:20260601T090000Z\n"
        "END:VEVENT\nEND:VCALENDAR\n",
    )
    assert result.ok
    events = events_of(calendar)
    # A day of wall-clock time across the spring change (23 hours), then one exact hour.
    assert events["d"].end - events["d"].start == dt.timedelta(hours=24)
    assert local(events["d"]).hour == 23
    assert events["m"].end is None


def test_escaped_and_non_ascii_text_is_unescaped(calendar):
    path = ICS / "icalendar-tests/events/issue_53_description_parsed_properly.ics"
    assert import_(calendar, path.read_bytes()).ok
    event = calendar.events.get()
    assert event.description.startswith("DevOpsDC\nThursday, July 12 at 6:30 PM\n\n")
    assert event.location == (
        "Fathom Creative, Inc. (1333 14th Street Northwest, WashingtonD.C., DC 20005)"
    )
    assert event.online_url == "http://www.meetup.com/DevOpsDC/events/47635522/"
    path = ICS / "icalendar-tests/events/event_with_unicode_fields.ics"
    assert import_(calendar, path.read_bytes()).ok
    assert calendar.events.filter(title="Non-ASCII Test: ÄÖÜ äöü €").exists()


def test_floating_times_are_read_in_the_calendars_own_zone(calendar):
    result = import_(
        calendar,
        "BEGIN:VCALENDAR\nX-WR-TIMEZONE:Asia/Beirut\nBEGIN:VEVENT\nUID:f\n"
        "DTSTART:20260715T100000\nEND:VEVENT\nEND:VCALENDAR\n",
        zone="America/New_York",
    )
    assert result.ok
    event = calendar.events.get()
    assert event.time_zone == "Asia/Beirut"
    assert event.start == dt.datetime(2026, 7, 15, 7, 0, tzinfo=UTC)


def test_reimport_updates_changed_events_by_uid_and_keeps_what_the_app_set(calendar):
    template = (
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:sitting-1\nSUMMARY:{title}\n"
        "DTSTART;TZID=Europe/London:20260113T113000\nDTEND;TZID=Europe/London:20260113T193000\n"
        "RRULE:FREQ=WEEKLY;BYDAY=TU,WE\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert import_(calendar, template.format(title="Commons sitting")).created == 1
    event = calendar.events.get()
    event.kind = CalendarEvent.Kind.SITTING
    event.save()
    result = import_(calendar, template.format(title="House of Commons sitting"))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    event.refresh_from_db()
    assert event.title == "House of Commons sitting"
    assert event.kind == CalendarEvent.Kind.SITTING
    assert calendar.events.count() == 1


def test_a_cancelled_event_is_removed_and_a_cancelled_occurrence_skipped(calendar):
    series = (
        "BEGIN:VEVENT\nUID:s\nSUMMARY:Question time\nDTSTART;TZID=Europe/London:20260107T120000\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\nEND:VEVENT\n"
    )
    import_(
        calendar,
        f"BEGIN:VCALENDAR\n{series}BEGIN:VEVENT\nUID:x\nDTSTART:20260101\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    cancelled = (
        "BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;TZID=Europe/London:20260114T120000\nSTATUS:CANCELLED\n"
        "DTSTART;TZID=Europe/London:20260114T120000\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:x\nDTSTART:20260101\nSTATUS:CANCELLED\nEND:VEVENT\n"
    )
    result = import_(calendar, f"BEGIN:VCALENDAR\n{series}{cancelled}END:VCALENDAR\n")
    assert result.ok and result.updated == 2
    event = calendar.events.get()
    assert event.exdates == ["2026-01-14T12:00:00+00:00"]
    found = event_occurrences(
        event, dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert [o.start.day for o in found] == [7, 21, 28]


def test_one_bad_event_refuses_the_whole_file(calendar):
    result = import_(
        calendar,
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:ok\nDTSTART:20260101T100000Z\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:bad\nSUMMARY:Backwards\nDTSTART:20260102T100000Z\n"
        "DTEND:20260101T100000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    assert result.errors == [
        "line 6, VEVENT “Backwards”: it ends (DTEND) before it starts (DTSTART)"
    ]
    assert not calendar.events.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        ("BEGIN:VCALENDAR\nSUMMARY:caf\xe9\nEND:VCALENDAR\n".encode("latin-1"), "not UTF-8"),
        (b"just some text\n", "line 1 is not an iCalendar line"),
    ],
)
def test_unreadable_files_say_why(calendar, data, message):
    result = import_(calendar, data)
    assert not result.ok and message in result.errors[0]


def test_command_imports_creates_the_calendar_and_ends_with_the_counts(organisation):
    path = ICS / "icalendar-tests/calendars/rfc_7265_appendix_example_2_ical.ics"
    out = io.StringIO()
    call_command(
        "import_ics",
        str(path),
        "--calendar",
        "Example",
        "--organisation",
        organisation.slug,
        stdout=out,
    )
    assert out.getvalue().splitlines()[-1] == "created 2, updated 0, unchanged 0, errors 0"
    calendar = Calendar.objects.get(organisation=organisation, name="Example")
    assert calendar.events.count() == 2
    out = io.StringIO()
    call_command("import_ics", str(path), "--calendar", "Example", stdout=out)
    assert out.getvalue().splitlines()[-1] == "created 0, updated 0, unchanged 2, errors 0"


def test_command_refuses_a_broken_file_and_exits_with_an_error(organisation):
    factories.OrganisationFactory(slug="other")
    path = ICS / "icalendar-tests/calendars/broken_ical.ics"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_ics",
            str(path),
            "--calendar",
            "Broken",
            "--organisation",
            organisation.slug,
            stdout=out,
            stderr=err,
        )
    assert out.getvalue().splitlines()[-1] == "created 0, updated 0, unchanged 0, errors 1"
    assert "DTSTART;;VALUE=DATE-TIME" in err.getvalue()
    assert not CalendarEvent.objects.exists()


def test_command_needs_an_organisation_for_a_new_calendar(db):
    path = ICS / "icalendar-tests/calendars/example.ics"
    with pytest.raises(CommandError, match="give --organisation"):
        call_command("import_ics", str(path), "--calendar", "Nowhere")
