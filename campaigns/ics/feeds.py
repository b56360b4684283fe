"""Private iCalendar feeds: events (and, later, other apps' items) as one .ics document."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar.prop import vRecur

from campaigns.ics.zones import iana_names
from campaigns.models import CalendarEvent, CalendarFeed, Campaign

UTC = dt.UTC
FeedSource = Callable[[], Iterable[icalendar.Component]]


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _utc_until(rule: str, tz: zoneinfo.ZoneInfo, all_day: bool) -> str:
    """RFC 5545 wants UNTIL in UTC when DTSTART has a zone; we keep it in local time."""
    if all_day or "UNTIL=" not in rule.upper():
        return rule
    recur = vRecur.from_ical(rule)
    until = recur["UNTIL"][0]
    if isinstance(until, dt.datetime) and until.tzinfo is None:
        recur["UNTIL"] = [until.replace(tzinfo=tz, fold=0).astimezone(UTC)]
    elif not isinstance(until, dt.datetime):
        end_of_day = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=tz)
        recur["UNTIL"] = [end_of_day.astimezone(UTC)]
    return recur.to_ical().decode()


def _local_value(instant: dt.datetime, tz: zoneinfo.ZoneInfo, all_day: bool):
    local = instant.astimezone(tz)
    return local.date() if all_day else local


def event_component(event: CalendarEvent) -> icalendar.Event:
    """One calendar event as a VEVENT, in its own zone, with its recurrence."""
    tz = zoneinfo.ZoneInfo(event.time_zone) if event.time_zone in _iana_set() else UTC
    component = icalendar.Event()
    component.add("UID", f"event-{event.pk}@{_host()}")
    component.add("DTSTAMP", event.updated_at or timezone.now())
    component.add("LAST-MODIFIED", event.updated_at or timezone.now())
    component.add("SUMMARY", event.title)
    component.add("DTSTART", _local_value(event.start, tz, event.all_day))
    if event.end:
        component.add("DTEND", _local_value(event.end, tz, event.all_day))
    page = settings.SITE_URL + event.get_absolute_url()
    component.add("DESCRIPTION", f"{event.description}\n\n{page}".strip())
    if event.location:
        component.add("LOCATION", event.location)
    component.add("URL", event.online_url or page)
    component.add("CATEGORIES", [str(event.get_kind_display())])
    if event.rrule:
        rule = _utc_until(event.rrule, tz, event.all_day)
        component.add("RRULE", vRecur.from_ical(rule))
    for name, values in (("EXDATE", event.exdates), ("RDATE", event.rdates)):
        if values:
            instants = [dt.datetime.fromisoformat(value) for value in values]
            component.add(name, [_local_value(i, tz, event.all_day) for i in instants])
    return component


@functools.cache
def _iana_set() -> frozenset[str]:
    return frozenset(iana_names().values())


def calendar_build(*, name: str, sources: Iterable[FeedSource]) -> bytes:
    """An iCalendar document from several sources of components (events, later meetings and
    follow-ups), with a VTIMEZONE for every zone the components use."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//Advocacy//Calendar feed//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("NAME", name)
    calendar.add("REFRESH-INTERVAL", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")
    first = timezone.now().date() - dt.timedelta(days=366)
    for source in sources:
        for component in source():
            calendar.add_component(component)
            start = component.get("DTSTART")
            if start is not None and isinstance(start.dt, dt.datetime):
                first = min(first, start.dt.date())
    # The VTIMEZONEs cover every event's first occurrence and the next ten years.
    calendar.add_missing_timezones(
        first_date=first, last_date=dt.date(timezone.now().year + 10, 12, 31)
    )
    return calendar.to_ical()


# How far back a feed reaches for events that do not repeat; calendar programs keep what
# they have already downloaded.
FEED_PAST = dt.timedelta(days=366)
FEED_FUTURE = dt.timedelta(days=366 * 20)


def event_source(events) -> FeedSource:
    """A feed source from a queryset of calendar events (only recent and future ones)."""

    def components() -> Iterable[icalendar.Component]:
        now = timezone.now()
        window = events.in_window(now - FEED_PAST, now + FEED_FUTURE)
        for event in window.order_by("start", "pk"):
            yield event_component(event)

    return components


def feed_sources(feed: CalendarFeed) -> list[FeedSource]:
    """What a feed holds: the campaign's events, or everything its owner can see.

    Other apps add their own sources here (meetings, follow-ups), one line each.
    """
    from meetings import feeds as meeting_feeds  # meetings builds on campaigns, not back

    events = CalendarEvent.objects.visible_to(feed.owner)
    if feed.campaign_id:
        events = events.filter(campaign_id=feed.campaign_id)
    return [
        event_source(events),
        meeting_feeds.meeting_source(feed),
        meeting_feeds.follow_up_source(feed),
    ]


def feed_name(feed: CalendarFeed) -> str:
    if feed.campaign_id:
        return feed.campaign.name
    return _("Advocacy: %(name)s") % {"name": feed.owner.display_name}


def feed_is_readable(feed: CalendarFeed) -> bool:
    """A feed stops when its owner leaves or can no longer see its campaign."""
    if not feed.owner.is_active or feed.revoked_at is not None:
        return False
    if feed.campaign_id is None:
        return True
    return Campaign.objects.visible_to(feed.owner).filter(Q(pk=feed.campaign_id)).exists()
