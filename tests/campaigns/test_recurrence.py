"""Recurrence and time-zone arithmetic across daylight-saving changes."""

import datetime as dt
import zoneinfo

import pytest

from campaigns.recurrence import occurrences, validate_rrule

UTC = dt.UTC


def local(zone: str, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def expand(zone, start, end=None, **kwargs):
    return occurrences(
        start=start,
        end=end,
        time_zone=zone,
        window_start=kwargs.pop("window_start", dt.datetime(2026, 1, 1, tzinfo=UTC)),
        window_end=kwargs.pop("window_end", dt.datetime(2028, 1, 1, tzinfo=UTC)),
        **kwargs,
    )


def test_weekly_geneva_sitting_keeps_local_time_across_spring_change():
    # Tuesdays and Wednesdays 14:30-16:00 in Geneva; clocks go forward on 29 March 2026.
    start = local("Europe/Zurich", 2026, 3, 24, 14, 30)
    found = expand(
        "Europe/Zurich",
        start,
        start + dt.timedelta(minutes=90),
        rrule="FREQ=WEEKLY;BYDAY=TU,WE;COUNT=4",
    )
    assert [o.local_start.strftime("%a %d %H:%M") for o in found] == [
        "Tue 24 14:30",
        "Wed 25 14:30",
        "Tue 31 14:30",
        "Wed 01 14:30",
    ]
    # Same wall-clock time, one hour earlier in UTC once summer time starts.
    assert found[0].start.hour == 13 and found[2].start.hour == 12
    assert all(o.end - o.start == dt.timedelta(minutes=90) for o in found)


def test_new_york_autumn_change_keeps_local_time():
    start = local("America/New_York", 2026, 10, 27, 10, 0)
    found = expand("America/New_York", start, rrule="FREQ=WEEKLY;COUNT=2")
    assert [o.local_start.hour for o in found] == [10, 10]
    assert [o.start.hour for o in found] == [14, 15]  # EDT, then EST


def test_suva_has_no_daylight_saving_now():
    start = local("Pacific/Fiji", 2026, 6, 1, 9, 0)
    found = expand("Pacific/Fiji", start, rrule="FREQ=MONTHLY;COUNT=12")
    assert {o.start.hour for o in found} == {21}  # UTC+12 all year
    assert {o.local_start.hour for o in found} == {9}


def test_beirut_midnight_gap_moves_forward():
    # Lebanon springs forward at midnight on the last Sunday of March: 00:30 does not exist
    # on 29 March 2026, so that occurrence happens at 01:30 local, as calendar programs do.
    start = local("Asia/Beirut", 2026, 3, 27, 0, 30)
    found = expand("Asia/Beirut", start, rrule="FREQ=DAILY;COUNT=4")
    assert [o.local_start.strftime("%d %H:%M") for o in found] == [
        "27 00:30",
        "28 00:30",
        "29 01:30",
        "30 00:30",
    ]


def test_yearly_anniversary_all_day():
    # Entry into force of the cluster munitions convention: 1 August, every year.
    start = local("UTC", 2010, 8, 1)
    found = expand("UTC", start, start + dt.timedelta(days=1), all_day=True, rrule="FREQ=YEARLY")
    assert [(o.start.date().isoformat(), (o.end - o.start).days) for o in found] == [
        ("2026-08-01", 1),
        ("2027-08-01", 1),
    ]


def test_all_day_event_in_geneva_is_one_local_day_across_dst():
    start = local("Europe/Zurich", 2026, 3, 28)
    found = expand(
        "Europe/Zurich",
        start,
        start + dt.timedelta(days=1),
        all_day=True,
        rrule="FREQ=DAILY;COUNT=2",
    )
    assert [o.local_end - o.local_start for o in found][0] == dt.timedelta(days=1)
    assert found[1].local_start.hour == 0 and found[1].local_end.hour == 0


def test_exdate_removes_an_occurrence_and_rdate_adds_one():
    start = local("Europe/Zurich", 2026, 5, 5, 9, 0)
    skipped = local("Europe/Zurich", 2026, 5, 12, 9, 0).astimezone(UTC).isoformat()
    extra = local("Europe/Zurich", 2026, 5, 14, 9, 0).astimezone(UTC).isoformat()
    found = expand(
        "Europe/Zurich", start, rrule="FREQ=WEEKLY;COUNT=3", exdates=[skipped], rdates=[extra]
    )
    assert [o.local_start.day for o in found] == [5, 14, 19]


def test_window_includes_occurrence_already_under_way():
    start = local("UTC", 2026, 6, 1, 9, 0)
    found = occurrences(
        start=start,
        end=start + dt.timedelta(days=3),
        time_zone="UTC",
        window_start=dt.datetime(2026, 6, 2, tzinfo=UTC),
        window_end=dt.datetime(2026, 6, 3, tzinfo=UTC),
    )
    assert len(found) == 1


def test_single_event_outside_window_is_not_returned():
    start = local("UTC", 2025, 6, 1, 9, 0)
    assert expand("UTC", start) == []


def test_unbounded_rule_stays_within_window():
    start = local("UTC", 2026, 1, 1, 9, 0)
    found = occurrences(
        start=start,
        end=None,
        time_zone="UTC",
        rrule="FREQ=DAILY",
        window_start=dt.datetime(2026, 1, 1, tzinfo=UTC),
        window_end=dt.datetime(2026, 1, 8, tzinfo=UTC),
    )
    assert len(found) == 7


@pytest.mark.parametrize("rule", ["FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX", "nonsense"])
def test_invalid_rules_are_refused(rule):
    with pytest.raises(ValueError):
        validate_rrule(rule)


def test_until_given_in_utc_is_honoured():
    # Weekly at 09:00 Geneva until 2026-05-19 07:00Z (09:00 local): three occurrences.
    start = local("Europe/Zurich", 2026, 5, 5, 9, 0)
    validate_rrule("FREQ=WEEKLY;UNTIL=20260519T070000Z")
    found = expand("Europe/Zurich", start, rrule="FREQ=WEEKLY;UNTIL=20260519T070000Z")
    assert [o.local_start.day for o in found] == [5, 12, 19]
