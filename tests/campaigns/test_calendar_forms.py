"""The event form: local times in a named zone, all-day dates, the recurrence builder."""

import datetime as dt
import zoneinfo

import pytest

from campaigns.calendar_forms import CalendarEventForm, builder_from_rrule, describe_rrule
from campaigns.models import Calendar, CalendarEvent
from campaigns.recurrence import event_occurrences
from tests import factories

UTC = dt.UTC


@pytest.fixture
def calendar(organisation):
    return Calendar.objects.create(organisation=organisation, name="Treaty calendar")


def form_for(user, calendar, instance=None, **overrides) -> CalendarEventForm:
    data = {
        "calendar": calendar.pk,
        "title": "Meeting of states parties",
        "kind": "msp",
        "time_zone": "Europe/Zurich",
        "start_date": "2026-09-15",
        "start_time": "15:00",
        "end_time": "16:30",
        "repeat_interval": "1",
    }
    data.update(overrides)
    data = {key: value for key, value in data.items() if value is not None}
    return CalendarEventForm(data, instance=instance, user=user)


def saved(form: CalendarEventForm) -> CalendarEvent:
    assert form.is_valid(), form.errors
    event = form.save()
    event.refresh_from_db()
    return event


def test_local_time_in_the_named_zone_is_stored_in_utc(campaigner, calendar):
    event = saved(form_for(campaigner, calendar))
    assert event.start == dt.datetime(2026, 9, 15, 13, 0, tzinfo=UTC)
    assert event.end == dt.datetime(2026, 9, 15, 14, 30, tzinfo=UTC)
    assert (event.time_zone, event.all_day, event.rrule) == ("Europe/Zurich", False, "")


def test_the_same_wall_clock_time_in_suva_is_another_instant(campaigner, calendar):
    event = saved(form_for(campaigner, calendar, time_zone="Pacific/Fiji"))
    assert event.start == dt.datetime(2026, 9, 15, 3, 0, tzinfo=UTC)


def test_an_event_may_run_over_several_days(campaigner, calendar):
    event = saved(form_for(campaigner, calendar, end_date="2026-09-17", end_time="13:00"))
    assert event.end == dt.datetime(2026, 9, 17, 11, 0, tzinfo=UTC)


def test_all_day_events_are_dates_with_the_end_shown_inclusive(campaigner, calendar):
    form = form_for(
        campaigner, calendar, all_day="on", start_time=None, end_time=None, end_date="2026-09-17"
    )
    event = saved(form)
    geneva = zoneinfo.ZoneInfo("Europe/Zurich")
    assert event.start.astimezone(geneva) == dt.datetime(2026, 9, 15, tzinfo=geneva)
    assert event.end.astimezone(geneva) == dt.datetime(2026, 9, 18, tzinfo=geneva)
    edit = CalendarEventForm(instance=event, user=campaigner)
    assert edit.initial["end_date"] == dt.date(2026, 9, 17)
    assert "start_time" not in edit.initial


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_time": "14:00"}, "end_time"),
        ({"end_date": "2026-09-14"}, "end_date"),
        ({"start_time": None}, "start_time"),
        ({"end_date": "2026-09-16", "end_time": None}, "end_time"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ],
)
def test_impossible_times_are_refused(campaigner, calendar, overrides, field):
    form = form_for(campaigner, calendar, **overrides)
    assert not form.is_valid()
    assert field in form.errors
    assert not CalendarEvent.objects.exists()


def test_a_time_skipped_when_clocks_go_forward_is_refused(campaigner, calendar):
    form = form_for(campaigner, calendar, start_date="2026-03-29", start_time="02:30")
    assert not form.is_valid()
    assert "clocks go forward" in form.errors["start_time"][0]


def test_weekly_on_chosen_days_until_a_date(campaigner, calendar):
    form = form_for(
        campaigner,
        calendar,
        time_zone="Europe/London",
        start_date="2026-03-24",
        start_time="11:30",
        end_time="19:30",
        repeat="weekly",
        repeat_days=["TU", "WE"],
        repeat_until="2026-04-08",
        skip_dates="2026-04-01",
    )
    event = saved(form)
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU,WE;UNTIL=20260408T235959"
    found = event_occurrences(
        event, dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 5, 1, tzinfo=UTC)
    )
    # 11:30 London time on both sides of the change to summer time on 29 March.
    assert [(o.local_start.day, o.local_start.hour) for o in found] == [
        (24, 11),
        (25, 11),
        (31, 11),
        (7, 11),
        (8, 11),
    ]
    assert event.exdates == ["2026-04-01T10:30:00+00:00"]


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"repeat": "yearly"}, "FREQ=YEARLY"),
        ({"repeat": "yearly", "repeat_interval": "5"}, "FREQ=YEARLY;INTERVAL=5"),
        ({"repeat": "monthly", "repeat_count": "6"}, "FREQ=MONTHLY;COUNT=6"),
        ({"repeat": "monthly_weekday"}, "FREQ=MONTHLY;BYDAY=3TU"),  # 15 Sep 2026: 3rd Tuesday
        ({"repeat": "monthly_weekday", "start_date": "2026-09-29"}, "FREQ=MONTHLY;BYDAY=-1TU"),
        ({"repeat": "weekly"}, "FREQ=WEEKLY;BYDAY=TU"),
        ({"repeat": "daily", "repeat_count": "3"}, "FREQ=DAILY;COUNT=3"),
        (
            {"repeat": "custom", "rrule_text": "RRULE:freq=monthly;byday=-1fr"},
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        # UNTIL in UTC, as RFC 5545 writes it, is kept in Geneva time for the expansion.
        (
            {"repeat": "custom", "rrule_text": "FREQ=DAILY;UNTIL=20261001T215959Z"},
            "FREQ=DAILY;UNTIL=20261001T235959",
        ),
    ],
)
def test_the_recurrence_builder_writes_rrules(campaigner, calendar, overrides, rule):
    assert saved(form_for(campaigner, calendar, **overrides)).rrule == rule


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"repeat": "custom", "rrule_text": "FREQ=SOMETIMES"}, "rrule_text"),
        ({"repeat": "custom", "rrule_text": ""}, "rrule_text"),
        ({"repeat": "custom", "rrule_text": "FREQ=DAILY;COUNT=2;UNTIL=20270101"}, "rrule_text"),
        ({"repeat": "weekly", "repeat_until": "2026-01-01"}, "repeat_until"),
        ({"repeat": "weekly", "repeat_until": "2027-01-01", "repeat_count": "3"}, "repeat_count"),
        ({"skip_dates": "2026-09-22, next tuesday"}, "skip_dates"),
    ],
)
def test_unusable_recurrences_are_refused(campaigner, calendar, overrides, field):
    form = form_for(campaigner, calendar, **overrides)
    assert not form.is_valid()
    assert field in form.errors


def test_editing_shows_the_builder_for_the_stored_rule(campaigner, calendar):
    event = saved(
        form_for(
            campaigner,
            calendar,
            repeat="weekly",
            repeat_days=["WE", "TU"],
            repeat_interval="2",
            repeat_until="2026-12-16",
            skip_dates="2026-09-29",
        )
    )
    initial = CalendarEventForm(instance=event, user=campaigner).initial
    assert initial["repeat"] == "weekly"
    assert initial["repeat_days"] == ["TU", "WE"]
    assert initial["repeat_interval"] == 2
    assert initial["repeat_until"] == dt.date(2026, 12, 16)
    assert initial["skip_dates"] == "2026-09-29"
    assert (initial["start_date"], initial["start_time"]) == (dt.date(2026, 9, 15), dt.time(15))
    resaved = saved(form_for(campaigner, calendar, instance=event, **_as_post(initial)))
    assert (resaved.rrule, resaved.exdates, resaved.start) == (
        event.rrule,
        event.exdates,
        event.start,
    )


def _as_post(initial: dict) -> dict:
    keys = ["repeat", "repeat_days", "repeat_interval", "repeat_until", "skip_dates"]
    return {key: initial[key] for key in keys}


def test_rules_the_builder_cannot_show_stay_custom():
    rule = "FREQ=MONTHLY;BYMONTHDAY=1,15"
    assert builder_from_rrule(rule, dt.date(2026, 1, 1)) == {
        "repeat": "custom",
        "rrule_text": rule,
    }
    assert describe_rrule(rule, dt.date(2026, 1, 1)) == rule
    assert describe_rrule("FREQ=YEARLY;INTERVAL=5", dt.date(2026, 1, 1)) == "every 5 years"


def test_languages_country_and_links_are_saved(campaigner, calendar, organisation):
    campaign = factories.CampaignFactory(organisation=organisation)
    event = saved(
        form_for(
            campaigner,
            calendar,
            languages=["ar", "fr"],
            other_languages="Kirundi, Fijian",
            country="BI",
            campaign=campaign.pk,
            location="Palais des Nations, Room XIX",
            online_url="webtv.un.org/en/meetings",
        )
    )
    assert event.interpretation_languages == ["ar", "fr", "Kirundi", "Fijian"]
    assert event.country.code == "BI" and event.country.name == "Burundi"
    assert event.campaign == campaign
    assert event.online_url == "https://webtv.un.org/en/meetings"
    initial = CalendarEventForm(instance=event, user=campaigner).initial
    assert initial["languages"] == ["ar", "fr"] and initial["other_languages"] == "Kirundi, Fijian"


def test_only_visible_campaigns_may_be_chosen(campaigner, calendar):
    hidden = factories.CampaignFactory()  # another organisation's
    form = form_for(campaigner, calendar, campaign=hidden.pk)
    assert not form.is_valid()
    assert "campaign" in form.errors


def test_changing_the_zone_of_an_imported_event_drops_the_files_zone_name(campaigner, calendar):
    event = saved(form_for(campaigner, calendar, time_zone="Australia/Sydney"))
    event.time_zone_label = "Canberra, Melbourne, Sydney"
    event.save()
    kept = saved(form_for(campaigner, calendar, instance=event, time_zone="Australia/Sydney"))
    assert kept.time_zone_label == "Canberra, Melbourne, Sydney"
    changed = saved(form_for(campaigner, calendar, instance=event, time_zone="Europe/Zurich"))
    assert changed.time_zone_label == ""
