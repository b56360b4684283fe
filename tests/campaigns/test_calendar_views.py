"""The calendar's pages: agenda, month, event pages, calendars and .ics uploads."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advocacy.models import ImportJob, Visibility
from campaigns.models import Calendar, CalendarEvent
from campaigns.recurrence import occurrences
from campaigns.views.calendar import occurrence_times
from tests import factories

UTC = dt.UTC
GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
ICS = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "ics"


@pytest.fixture
def calendar(organisation, coordinator):
    return Calendar.objects.create(
        organisation=organisation, name="Treaty calendar", created_by=coordinator
    )


def make_event(calendar, title="Meeting of states parties", *, start, minutes=90, **fields):
    fields.setdefault("time_zone", "Europe/Zurich")
    end = None if minutes is None else start + dt.timedelta(minutes=minutes)
    return CalendarEvent.objects.create(
        calendar=calendar, title=title, start=start, end=end, **fields
    )


def geneva(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=GENEVA)


def agenda_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("campaigns:calendar") + (f"?{query}" if query else "")


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# Times: the event's zone, then the viewer's


def times_for(viewer_zone: str, start: dt.datetime, rule: str, **window):
    found = occurrences(
        start=start,
        end=start + dt.timedelta(minutes=90),
        time_zone="Europe/Zurich",
        rrule=rule,
        window_start=window.get("window_start", start - dt.timedelta(days=1)),
        window_end=window.get("window_end", start + dt.timedelta(days=30)),
    )
    return [occurrence_times(o, zoneinfo.ZoneInfo(viewer_zone)) for o in found]


def test_geneva_event_seen_from_new_york_across_both_clock_changes():
    # Europe goes back on 25 October 2026, the United States on 1 November.
    shown = times_for("America/New_York", geneva(2026, 10, 20, 15, 0), "FREQ=WEEKLY;COUNT=3")
    assert shown == [
        ("15:00–16:30 CEST", "09:00–10:30"),
        ("15:00–16:30 CET", "10:00–11:30"),  # the week the gap is five hours
        ("15:00–16:30 CET", "09:00–10:30"),
    ]


def test_geneva_event_seen_from_suva_falls_on_the_next_day():
    shown = times_for("Pacific/Fiji", geneva(2026, 10, 20, 15, 0), "FREQ=WEEKLY;COUNT=2")
    assert shown == [
        ("15:00–16:30 CEST", "Wed 21 Oct 01:00–02:30"),
        ("15:00–16:30 CET", "Wed 28 Oct 02:00–03:30"),
    ]


def test_geneva_event_seen_from_beirut_when_clocks_change_the_same_night():
    shown = times_for("Asia/Beirut", geneva(2026, 10, 20, 15, 0), "FREQ=WEEKLY;COUNT=2")
    assert shown == [("15:00–16:30 CEST", "16:00–17:30"), ("15:00–16:30 CET", "16:00–17:30")]


def test_the_second_time_is_left_out_when_the_viewers_clock_reads_the_same():
    assert times_for("Europe/Paris", geneva(2026, 7, 1, 15, 0), "") == [("15:00–16:30 CEST", "")]


def test_all_day_events_show_dates_only_end_inclusive():
    found = occurrences(
        start=geneva(2026, 9, 8),
        end=geneva(2026, 9, 11),
        time_zone="Europe/Zurich",
        all_day=True,
        window_start=dt.datetime(2026, 9, 1, tzinfo=UTC),
        window_end=dt.datetime(2026, 10, 1, tzinfo=UTC),
    )
    assert occurrence_times(found[0], zoneinfo.ZoneInfo("Pacific/Fiji")) == (
        "Tue 8 Sep – Thu 10 Sep",
        "",
    )


# The agenda


@pytest.fixture
def sitting(calendar):
    return make_event(
        calendar,
        "Commons sitting",
        start=dt.datetime(2026, 5, 5, 11, 30, tzinfo=zoneinfo.ZoneInfo("Europe/London")),
        minutes=480,
        time_zone="Europe/London",
        kind=CalendarEvent.Kind.SITTING,
        rrule="FREQ=WEEKLY;BYDAY=TU,WE",
        exdates=["2026-05-12T10:30:00+00:00"],
    )


def test_agenda_expands_recurring_events_in_the_window(client, campaigner, sitting):
    campaigner.time_zone = "Europe/London"
    campaigner.save()
    client.force_login(campaigner)
    response = client.get(agenda_url(**{"from": "2026-05-04"}))
    days = [day.day for day in response.context["days"]]
    # Tuesdays and Wednesdays for eight weeks, less the skipped Tuesday 12 May.
    assert len(days) == 16 - 1
    assert days[:3] == [dt.date(2026, 5, 5), dt.date(2026, 5, 6), dt.date(2026, 5, 13)]
    assert "11:30–19:30 BST" in text_of(response)
    assert "in your time" not in text_of(response)


def test_agenda_shows_the_viewers_time_beside_the_events_own(client, campaigner, calendar):
    campaigner.time_zone = "America/New_York"
    campaigner.save()
    make_event(calendar, start=geneva(2026, 9, 15, 15, 0))
    client.force_login(campaigner)
    response = client.get(agenda_url(**{"from": "2026-09-01"}))
    assert "15:00–16:30 CEST, 09:00–10:30 in your time" in text_of(response)


def test_agenda_filters_by_campaign_country_and_kind(client, campaigner, calendar, organisation):
    campaign = factories.CampaignFactory(organisation=organisation)
    factories.CountryFactory(code="BI", name="Burundi")
    start = geneva(2026, 6, 10, 10, 0)
    make_event(calendar, "Campaign event", start=start, campaign=campaign)
    make_event(calendar, "Burundi event", start=start, country_id="BI")
    make_event(calendar, "Day of action", start=start, kind=CalendarEvent.Kind.DAY_OF_ACTION)
    client.force_login(campaigner)

    def titles(**params) -> list[str]:
        response = client.get(agenda_url(**{"from": "2026-06-01"}, **params))
        return sorted(slot.event.title for day in response.context["days"] for slot in day.slots)

    assert titles() == ["Burundi event", "Campaign event", "Day of action"]
    assert titles(campaign=campaign.pk) == ["Campaign event"]
    assert titles(country="BI") == ["Burundi event"]
    assert titles(kind="day_of_action") == ["Day of action"]
    assert titles(calendar=calendar.pk, kind="msp") == []


def test_agenda_htmx_returns_only_the_results_and_links_keep_the_filters(
    client, campaigner, sitting
):
    client.force_login(campaigner)
    response = client.get(
        agenda_url(**{"from": "2026-05-04", "kind": "sitting"}), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="calendar-results"')
    assert "<html" not in body
    assert "kind=sitting" in body and "from=2026-06-29" in body  # the "Later" link


def test_the_agenda_hides_events_of_calendars_and_campaigns_one_cannot_see(
    client, outsider, campaigner, calendar, organisation
):
    private_campaign = factories.CampaignFactory(
        organisation=organisation, visibility=Visibility.PRIVATE
    )
    make_event(calendar, "Shared", start=geneva(2026, 6, 10, 10, 0))
    make_event(
        calendar, "Private campaign's", start=geneva(2026, 6, 10, 10, 0), campaign=private_campaign
    )
    client.force_login(outsider)
    response = client.get(agenda_url(**{"from": "2026-06-01"}))
    assert response.context["days"] == []
    client.force_login(campaigner)
    response = client.get(agenda_url(**{"from": "2026-06-01"}))
    assert [s.event.title for d in response.context["days"] for s in d.slots] == ["Shared"]


def add_events(calendar, count: int) -> None:
    campaign = factories.CampaignFactory(organisation=calendar.organisation)
    for n in range(count):
        make_event(
            calendar,
            f"Event {n}",
            start=geneva(2026, 6, 1 + n, 9, 0),
            rrule="FREQ=WEEKLY" if n % 2 else "",
            campaign=campaign if n % 3 == 0 else None,
            country=factories.CountryFactory(code="FJ", name="Fiji"),
        )


# session, user, the filter form's campaigns and calendars, the events with their calendar,
# campaign, country, institution and treaty (joined), the menu's memberships.
AGENDA_QUERIES = 6


@pytest.mark.parametrize("name", ["campaigns:calendar", "campaigns:calendar_month"])
def test_agenda_and_month_queries_do_not_grow(
    client, campaigner, calendar, django_assert_num_queries, name
):
    client.force_login(campaigner)
    url = reverse(name) + "?from=2026-06-01&month=2026-06"
    add_events(calendar, 1)
    with django_assert_num_queries(AGENDA_QUERIES):
        client.get(url)
    add_events(calendar, 8)
    with django_assert_num_queries(AGENDA_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert "Event 7" in response.content.decode()


# The month


def test_month_grid_places_events_on_their_days(client, campaigner, calendar):
    campaigner.time_zone = "Pacific/Fiji"
    campaigner.save()
    make_event(calendar, "Late in Geneva", start=geneva(2026, 9, 15, 22, 0), minutes=60)
    make_event(
        calendar,
        "Entry into force",
        start=geneva(2010, 8, 1),
        minutes=24 * 60,
        all_day=True,
        rrule="FREQ=YEARLY",
        kind=CalendarEvent.Kind.ANNIVERSARY,
    )
    client.force_login(campaigner)
    response = client.get(reverse("campaigns:calendar_month") + "?month=2026-09")
    days = {d.day: [s.event.title for s in d.slots] for w in response.context["weeks"] for d in w}
    # 22:00 in Geneva is 08:00 the next morning in Suva.
    assert days[dt.date(2026, 9, 16)] == ["Late in Geneva"]
    assert days[dt.date(2026, 9, 15)] == []
    response = client.get(reverse("campaigns:calendar_month") + "?month=2026-08")
    days = {d.day: [s.event.title for s in d.slots] for w in response.context["weeks"] for d in w}
    assert days[dt.date(2026, 8, 1)] == ["Entry into force"]
    assert all(len(week) == 7 for week in response.context["weeks"])


def test_month_weeks_start_on_the_locales_first_day(client, campaigner, calendar):
    client.force_login(campaigner)
    response = client.get(reverse("campaigns:calendar_month") + "?month=2026-09")
    assert response.context["weeks"][0][0].day == dt.date(2026, 8, 30)  # a Sunday, in English
    campaigner.language = "fr"
    campaigner.save()
    response = client.get(reverse("campaigns:calendar_month") + "?month=2026-09")
    assert response.context["weeks"][0][0].day == dt.date(2026, 8, 31)  # a Monday, in French


def test_month_htmx_swap_and_navigation_keep_filters(client, campaigner, calendar):
    client.force_login(campaigner)
    url = reverse("campaigns:calendar_month") + "?month=2026-12&kind=recess"
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<section id="calendar-results"')
    assert "month=2027-01" in body and "month=2026-11" in body and "kind=recess" in body


# Event pages


def test_event_detail_shows_both_times_and_next_occurrences(client, campaigner, sitting):
    campaigner.time_zone = "Asia/Beirut"
    campaigner.save()
    client.force_login(campaigner)
    response = client.get(sitting.get_absolute_url())
    text = text_of(response)
    assert "11:30–19:30 BST, 13:30–21:30 in your time" in text
    assert "Repeats: every week on Tuesday, Wednesday" in text
    assert "Time zone: Europe/London" in text


def test_event_pages_need_the_right_to_see_and_to_edit(
    client, sitting, viewer, outsider, coalition_partner
):
    client.force_login(outsider)
    assert client.get(sitting.get_absolute_url()).status_code == 404
    client.force_login(viewer)
    assert client.get(sitting.get_absolute_url()).status_code == 200
    assert client.get(reverse("campaigns:event_update", args=[sitting.pk])).status_code == 404
    assert client.post(reverse("campaigns:event_delete", args=[sitting.pk])).status_code == 404
    client.force_login(coalition_partner)
    assert client.get(sitting.get_absolute_url()).status_code == 404  # shared with the org only
    sitting.calendar.visibility = Visibility.COALITION
    sitting.calendar.save()
    assert client.get(sitting.get_absolute_url()).status_code == 200
    assert client.get(reverse("campaigns:event_update", args=[sitting.pk])).status_code == 404
    assert CalendarEvent.objects.filter(pk=sitting.pk).exists()


def event_post(calendar, **overrides) -> dict:
    data = {
        "calendar": calendar.pk,
        "title": "Intersessional meetings",
        "kind": "intersessional",
        "time_zone": "Europe/Zurich",
        "start_date": "2027-05-11",
        "start_time": "10:00",
        "end_time": "13:00",
        "repeat": "",
        "repeat_interval": "1",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["coordinator", "campaigner"])
def test_coordinators_and_campaigners_add_edit_and_delete_events(
    client, calendar, persona, request
):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("campaigns:event_create"), event_post(calendar))
    event = CalendarEvent.objects.get()
    assert response.url == event.get_absolute_url()
    assert event.start == dt.datetime(2027, 5, 11, 8, 0, tzinfo=UTC)
    response = client.post(
        reverse("campaigns:event_update", args=[event.pk]),
        event_post(calendar, title="Intersessional meetings (week 1)", start_time="09:00"),
    )
    event.refresh_from_db()
    assert event.title == "Intersessional meetings (week 1)"
    assert event.start == dt.datetime(2027, 5, 11, 7, 0, tzinfo=UTC)
    client.post(reverse("campaigns:event_delete", args=[event.pk]))
    assert not CalendarEvent.objects.exists()


def test_a_viewer_cannot_add_events(client, viewer, calendar):
    client.force_login(viewer)
    response = client.post(reverse("campaigns:event_create"), event_post(calendar))
    assert response.status_code == 302
    assert response.url == reverse("campaigns:calendar_list")
    assert not CalendarEvent.objects.exists()


def test_events_cannot_be_put_in_a_calendar_one_cannot_edit(client, campaigner, calendar):
    other = Calendar.objects.create(organisation=factories.OrganisationFactory(), name="Theirs")
    client.force_login(campaigner)
    response = client.post(reverse("campaigns:event_create"), event_post(other))
    assert response.status_code == 200
    assert "calendar" in response.context["form"].errors
    assert not CalendarEvent.objects.exists()


def test_the_new_event_form_starts_in_the_users_zone_and_on_the_chosen_day(
    client, campaigner, calendar
):
    campaigner.time_zone = "Pacific/Fiji"
    campaigner.save()
    client.force_login(campaigner)
    form = client.get(reverse("campaigns:event_create") + "?date=2027-03-01").context["form"]
    assert form.initial["time_zone"] == "Pacific/Fiji"
    assert form.initial["start_date"] == dt.date(2027, 3, 1)


# Calendars and uploads


def test_a_coordinator_creates_a_calendar_and_names_are_unique_per_organisation(
    client, coordinator, organisation, calendar
):
    client.force_login(coordinator)
    data = {"name": "UK Parliament", "organisation": organisation.pk, "visibility": "coalition"}
    response = client.post(reverse("campaigns:calendar_create"), data)
    created = Calendar.objects.get(name="UK Parliament")
    assert response.url == created.get_absolute_url()
    assert (created.created_by, created.visibility) == (coordinator, "coalition")
    data["name"] = "Treaty calendar"
    response = client.post(reverse("campaigns:calendar_create"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert Calendar.objects.filter(name="Treaty calendar").count() == 1


def test_a_viewer_cannot_create_or_edit_calendars(client, viewer, calendar, organisation):
    client.force_login(viewer)
    response = client.post(
        reverse("campaigns:calendar_create"),
        {"name": "Mine", "organisation": organisation.pk, "visibility": "organisation"},
    )
    assert response.status_code == 302
    assert not Calendar.objects.filter(name="Mine").exists()
    assert client.get(reverse("campaigns:calendar_update", args=[calendar.pk])).status_code == 404
    assert client.get(reverse("campaigns:calendar_import", args=[calendar.pk])).status_code == 404


def upload(client, calendar, path: Path):
    return client.post(
        reverse("campaigns:calendar_import", args=[calendar.pk]),
        {
            "file": SimpleUploadedFile(path.name, path.read_bytes(), "text/calendar"),
            "time_zone": "Europe/Zurich",
            "kind": "sitting",
        },
    )


def test_an_upload_is_previewed_then_imported_by_the_background_job(
    client, coordinator, calendar, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    path = ICS / "icalendar-tests/calendars/rfc_7265_appendix_example_2_ical.ics"
    response = upload(client, calendar, path)
    job = ImportJob.objects.get(kind="campaigns.ics")
    job_url = reverse("campaigns:calendar_import_job", args=[calendar.pk, job.pk])
    assert response.url == job_url
    assert "2 events in the file: 2 new, 0 to update, 0 unchanged." in text_of(client.get(job_url))
    assert not calendar.events.exists()  # nothing yet: the preview only counted

    confirm = reverse("campaigns:calendar_import_confirm", args=[calendar.pk, job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm)  # tasks run in-process in tests
    job.refresh_from_db()
    assert (job.status, job.counts["created"], job.percent) == ("done", 2, 100)
    assert set(calendar.events.values_list("kind", flat=True)) == {"sitting"}
    progress = client.get(job_url, headers={"HX-Request": "true"}).content.decode()
    assert progress.lstrip().startswith('<section id="import-progress"')
    assert "created 2, updated 0, unchanged 0, errors 0" in progress

    upload(client, calendar, path)
    again = ImportJob.objects.filter(kind="campaigns.ics").exclude(pk=job.pk).get()
    assert (again.preview["created"], again.preview["unchanged"]) == (0, 2)


def test_a_confirmed_job_runs_once(
    client, coordinator, calendar, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    upload(client, calendar, ICS / "icalendar-tests/calendars/example.ics")
    job = ImportJob.objects.get()
    confirm = reverse("campaigns:calendar_import_confirm", args=[calendar.pk, job.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(confirm)
        client.post(confirm)
    assert len(callbacks) == 1
    assert calendar.events.count() == 3


def test_uploading_a_broken_file_says_why_and_keeps_nothing(
    client, coordinator, calendar, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    response = upload(client, calendar, ICS / "icalendar-tests/calendars/broken_ical.ics")
    text = text_of(response)
    assert "This file cannot be imported" in text
    assert "DTSTART;;VALUE=DATE-TIME" in text
    assert not calendar.events.exists()
    assert not ImportJob.objects.exists()


def test_import_jobs_are_only_for_the_calendars_editors(
    client, coordinator, viewer, calendar, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(coordinator)
    upload(client, calendar, ICS / "icalendar-tests/calendars/example.ics")
    job = ImportJob.objects.get()
    client.force_login(viewer)
    url = reverse("campaigns:calendar_import_job", args=[calendar.pk, job.pk])
    assert client.get(url).status_code == 404
    confirm = reverse("campaigns:calendar_import_confirm", args=[calendar.pk, job.pk])
    assert client.post(confirm).status_code == 404
    job.refresh_from_db()
    assert job.status == "ready"


def test_calendar_list_counts_events_and_offers_import_to_editors(
    client, campaigner, viewer, sitting
):
    client.force_login(campaigner)
    response = client.get(reverse("campaigns:calendar_list"))
    import_url = reverse("campaigns:calendar_import", args=[sitting.calendar.pk])
    assert "1 event" in text_of(response)
    assert import_url in response.content.decode()
    client.force_login(viewer)
    response = client.get(reverse("campaigns:calendar_list"))
    assert import_url not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["?from=0001-01-01", "?from=9999-12-31", "?from=yesterday", "?month=0001-01", "?month=2026-13"],
)
def test_odd_dates_in_the_address_fall_back_to_today(client, campaigner, query):
    client.force_login(campaigner)
    for name in ("campaigns:calendar", "campaigns:calendar_month"):
        assert client.get(reverse(name) + query).status_code == 200
