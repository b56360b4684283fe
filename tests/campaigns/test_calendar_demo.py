"""The demo calendars: the treaty calendar and parliamentary sittings, loaded idempotently."""

import datetime as dt

import pytest

from advocacy.demo import seed_core
from campaigns.calendar_demo import seed_calendar
from campaigns.demo import seed_campaigns
from campaigns.models import Calendar, CalendarEvent
from campaigns.recurrence import event_occurrences

UTC = dt.UTC


@pytest.fixture
def seeded(db):
    seed_core()
    seed_campaigns()
    seed_calendar()


def occurrences_in(uid: str, year: int) -> list:
    event = CalendarEvent.objects.get(source_uid=f"demo:{uid}")
    return event_occurrences(
        event, dt.datetime(year, 1, 1, tzinfo=UTC), dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    )


def test_seeding_again_adds_nothing(seeded):
    counts = (Calendar.objects.count(), CalendarEvent.objects.count())
    seed_calendar()
    assert (Calendar.objects.count(), CalendarEvent.objects.count()) == counts
    assert counts[1] >= 14


def test_the_cluster_munitions_calendar(seeded):
    (anniversary,) = occurrences_in("ccm-entry-into-force", 2027)
    assert anniversary.all_day and anniversary.local_start.date() == dt.date(2027, 8, 1)
    (msp,) = occurrences_in("ccm-msp", 2027)
    assert (msp.local_start.month, msp.local_start.hour) == (9, 10)
    # The review conference takes the meeting's place every five years.
    assert occurrences_in("ccm-msp", 2026) == []
    (review,) = occurrences_in("ccm-review-conference", 2031)
    assert review.local_start.date() == dt.date(2031, 9, 8)
    (intersessional,) = occurrences_in("ccm-intersessional", 2027)
    assert intersessional.local_start.month == 5


def test_the_commons_sits_on_tuesdays_and_wednesdays_except_in_recess(seeded):
    sittings = occurrences_in("commons-sitting", 2026)
    days = {o.local_start.date() for o in sittings}
    assert {o.local_start.strftime("%a %H:%M") for o in sittings} == {"Tue 11:30", "Wed 11:30"}
    assert dt.date(2026, 7, 21) in days and dt.date(2026, 9, 8) in days
    assert not [d for d in days if dt.date(2026, 7, 22) <= d <= dt.date(2026, 9, 6)]
    treaty_calendar = Calendar.objects.get(name="Treaty calendar")
    assert treaty_calendar.visibility == "coalition"
