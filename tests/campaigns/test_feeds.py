"""Private iCalendar feeds: a token instead of a sign-in, revocable, readable by calendar
programs (checked with the icalendar library), keeping time zones and recurrence."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from advocacy.models import Visibility
from campaigns import ics
from campaigns.calendar_forms import rrule_parts
from campaigns.models import Calendar, CalendarEvent, CalendarFeed
from tests import factories

UTC = dt.UTC
GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")


@pytest.fixture
def calendar(organisation):
    return Calendar.objects.create(organisation=organisation, name="Treaty calendar")


@pytest.fixture
def campaign(organisation):
    return factories.CampaignFactory(organisation=organisation, name="Ratify the CCM")


@pytest.fixture
def events(calendar, campaign):
    sitting = CalendarEvent.objects.create(
        calendar=calendar,
        title="Sitting",
        start=dt.datetime(2026, 3, 24, 14, 30, tzinfo=GENEVA),
        end=dt.datetime(2026, 3, 24, 16, 0, tzinfo=GENEVA),
        time_zone="Europe/Zurich",
        rrule="FREQ=WEEKLY;BYDAY=TU,WE;UNTIL=20261231T235959",
        exdates=["2026-03-31T12:30:00+00:00"],
        campaign=campaign,
    )
    anniversary = CalendarEvent.objects.create(
        calendar=calendar,
        title="Entry into force, Convention on Cluster Munitions",
        start=dt.datetime(2010, 8, 1, tzinfo=GENEVA),
        end=dt.datetime(2010, 8, 2, tzinfo=GENEVA),
        time_zone="Europe/Zurich",
        all_day=True,
        rrule="FREQ=YEARLY",
        kind=CalendarEvent.Kind.ANNIVERSARY,
    )
    return sitting, anniversary


def feed_for(user, campaign=None) -> CalendarFeed:
    return CalendarFeed.objects.create(
        owner=user, campaign=campaign, token=CalendarFeed.new_token()
    )


def fetch(client, feed: CalendarFeed) -> icalendar.Calendar:
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def by_summary(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_personal_feed_needs_no_sign_in_and_keeps_zones_and_recurrence(
    client, campaigner, events
):
    parsed = fetch(client, feed_for(campaigner))
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Zurich"]
    found = by_summary(parsed)
    sitting = found["Sitting"]
    assert sitting["DTSTART"].params["TZID"] == "Europe/Zurich"
    assert sitting["DTSTART"].dt == dt.datetime(2026, 3, 24, 14, 30, tzinfo=GENEVA)
    assert sitting["DTEND"].dt == dt.datetime(2026, 3, 24, 16, 0, tzinfo=GENEVA)
    # RFC 5545: UNTIL in UTC when DTSTART has a zone (23:59:59 in Geneva, winter time).
    assert sitting["RRULE"]["UNTIL"] == [dt.datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)]
    assert sitting["RRULE"]["BYDAY"] == ["TU", "WE"]
    assert [d.dt for d in sitting["EXDATE"].dts] == [
        dt.datetime(2026, 3, 31, 14, 30, tzinfo=GENEVA)
    ]
    anniversary = found["Entry into force, Convention on Cluster Munitions"]
    assert anniversary["DTSTART"].dt == dt.date(2010, 8, 1)
    assert anniversary["DTEND"].dt == dt.date(2010, 8, 2)
    assert anniversary["RRULE"]["FREQ"] == ["YEARLY"]
    assert str(sitting["UID"]).startswith(f"event-{events[0].pk}@")


def test_the_feeds_vtimezone_gives_the_same_instants(client, campaigner, events):
    parsed = fetch(client, feed_for(campaigner))
    # Read back through our own importer, which trusts the IANA name: nothing moves.
    other = Calendar.objects.create(organisation=events[0].calendar.organisation, name="Copy")
    result = ics.import_file(calendar=other, data=parsed.to_ical())
    assert result.ok and result.created == 2
    copy = other.events.get(title="Sitting")
    assert (copy.start, copy.end, copy.time_zone, copy.exdates) == (
        events[0].start,
        events[0].end,
        "Europe/Zurich",
        events[0].exdates,
    )
    assert rrule_parts(copy.rrule) == rrule_parts(events[0].rrule)


def test_a_campaign_feed_holds_only_that_campaigns_events(client, campaigner, campaign, events):
    parsed = fetch(client, feed_for(campaigner, campaign))
    assert list(by_summary(parsed)) == ["Sitting"]
    assert str(parsed["X-WR-CALNAME"]) == "Ratify the CCM"


def test_the_feed_holds_only_what_its_owner_may_see(client, outsider, events):
    assert by_summary(fetch(client, feed_for(outsider))) == {}


def test_a_revoked_or_unknown_token_is_not_found_and_a_new_one_works(client, campaigner, events):
    feed = feed_for(campaigner)
    feed.revoke()
    assert client.get(feed.get_absolute_url()).status_code == 404
    assert client.get(reverse("campaigns:feed", args=["not-a-token"])).status_code == 404
    assert len(by_summary(fetch(client, feed_for(campaigner)))) == 2


def test_a_campaign_feed_stops_when_its_owner_can_no_longer_see_the_campaign(
    client, campaigner, campaign, events
):
    feed = feed_for(campaigner, campaign)
    campaign.visibility = Visibility.PRIVATE
    campaign.save()
    assert client.get(feed.get_absolute_url()).status_code == 404


def test_a_feed_stops_when_its_owner_is_deactivated(client, campaigner, events):
    feed = feed_for(campaigner)
    campaigner.is_active = False
    campaigner.save()
    assert client.get(feed.get_absolute_url()).status_code == 404


# the feed with its owner and campaign (joined), the visible events, the owner's meetings
# and open follow-ups (meetings/feeds.py; with no meeting, no attendees are fetched).
FEED_QUERIES = 4


def test_feed_queries_do_not_grow(client, campaigner, calendar, events, django_assert_num_queries):
    feed = feed_for(campaigner)
    with django_assert_num_queries(FEED_QUERIES):
        client.get(feed.get_absolute_url())
    for n in range(5):
        CalendarEvent.objects.create(
            calendar=calendar,
            title=f"Extra {n}",
            start=dt.datetime(2026, 6, 1 + n, 9, tzinfo=UTC),
            time_zone="Asia/Beirut",
        )
    with django_assert_num_queries(FEED_QUERIES):
        response = client.get(feed.get_absolute_url())
    assert len(by_summary(icalendar.Calendar.from_ical(response.content))) == 7


def test_a_user_makes_and_revokes_feeds_on_the_subscribe_page(client, campaigner, campaign):
    client.force_login(campaigner)
    client.post(reverse("campaigns:feed_list"), {"campaign": campaign.pk})
    client.post(reverse("campaigns:feed_list"), {})
    personal = CalendarFeed.objects.get(owner=campaigner, campaign=None)
    assert CalendarFeed.objects.filter(owner=campaigner, campaign=campaign).exists()
    page = client.get(reverse("campaigns:feed_list")).content.decode()
    assert f"http://testserver{personal.get_absolute_url()}" in page
    client.post(reverse("campaigns:feed_revoke", args=[personal.pk]))
    personal.refresh_from_db()
    assert personal.revoked_at is not None
    assert (
        personal.get_absolute_url()
        not in client.get(reverse("campaigns:feed_list")).content.decode()
    )


def test_nobody_revokes_someone_elses_feed(client, campaigner, outsider):
    feed = feed_for(campaigner)
    client.force_login(outsider)
    assert client.post(reverse("campaigns:feed_revoke", args=[feed.pk])).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None


def test_a_feed_cannot_be_made_for_a_campaign_one_cannot_see(client, outsider, campaign):
    client.force_login(outsider)
    client.post(reverse("campaigns:feed_list"), {"campaign": campaign.pk})
    assert not CalendarFeed.objects.exists()
