"""Meetings and follow-ups in private calendar feeds (campaigns.ics.feeds.feed_sources).

A feed carries when and where, who with, and a link to the page; never notes, outcomes or
anything else a calendar program would copy to servers and phones we do not control.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.ics.feeds import FEED_PAST, FeedSource, _host
from campaigns.models import CalendarFeed
from meetings.models import FollowUp, Meeting

# A meeting planned without an end shows as this long.
DEFAULT_LENGTH = dt.timedelta(hours=1)


def _attendee_names(meeting: Meeting) -> str:
    return ", ".join(
        attendee.person.display_name if attendee.person_id else attendee.institution.name
        for attendee in meeting.attendees.all()
    )


def meeting_component(meeting: Meeting) -> icalendar.Event:
    """One meeting as a VEVENT on its own clock."""
    component = icalendar.Event()
    component.add("UID", f"meeting-{meeting.pk}@{_host()}")
    component.add("DTSTAMP", meeting.updated_at or timezone.now())
    component.add("LAST-MODIFIED", meeting.updated_at or timezone.now())
    names = _attendee_names(meeting)
    summary = str(meeting)
    if names and not meeting.title:
        summary = f"{meeting.get_kind_display()}: {names}"
    component.add("SUMMARY", summary)
    component.add("DTSTART", meeting.local_start)
    component.add("DTEND", meeting.local_end or meeting.local_start + DEFAULT_LENGTH)
    page = settings.SITE_URL + meeting.get_absolute_url()
    component.add("DESCRIPTION", f"{names}\n\n{page}".strip())
    if meeting.location:
        component.add("LOCATION", meeting.location)
    component.add("URL", meeting.online_url or page)
    component.add("CATEGORIES", [str(meeting.get_kind_display())])
    if meeting.status == Meeting.Status.CANCELLED:
        component.add("STATUS", "CANCELLED")
    return component


def follow_up_component(follow_up: FollowUp) -> icalendar.Event:
    """An open follow-up as an all-day event on its due date."""
    component = icalendar.Event()
    component.add("UID", f"followup-{follow_up.pk}@{_host()}")
    component.add("DTSTAMP", follow_up.created_at or timezone.now())
    component.add("SUMMARY", _("Follow-up: %(what)s") % {"what": follow_up.title})
    component.add("DTSTART", follow_up.due_on)
    component.add("DTEND", follow_up.due_on + dt.timedelta(days=1))
    url = follow_up.meeting.get_absolute_url() if follow_up.meeting_id else "/meetings/follow-ups/"
    component.add("URL", settings.SITE_URL + url)
    component.add("DESCRIPTION", settings.SITE_URL + url)
    return component


def meeting_source(feed: CalendarFeed) -> FeedSource:
    """The owner's meetings (those they attend, lead, follow up or planned), or every meeting
    of the feed's campaign they may see; from a year back."""

    def components() -> Iterable[icalendar.Component]:
        meetings = Meeting.objects.visible_to(feed.owner).filter(
            starts_at__gte=timezone.now() - FEED_PAST
        )
        if feed.campaign_id:
            meetings = meetings.filter(campaign_id=feed.campaign_id)
        else:
            meetings = meetings.involving(feed.owner)
        for meeting in meetings.for_list().order_by("starts_at", "pk"):
            yield meeting_component(meeting)

    return components


def follow_up_source(feed: CalendarFeed) -> FeedSource:
    """The owner's open follow-ups that have a date (of the feed's campaign, if it has one)."""

    def components() -> Iterable[icalendar.Component]:
        follow_ups = FollowUp.objects.open().filter(owner=feed.owner, due_on__isnull=False)
        if feed.campaign_id:
            follow_ups = follow_ups.filter(meeting__campaign_id=feed.campaign_id)
        for follow_up in follow_ups.select_related("meeting").order_by("due_on", "pk"):
            yield follow_up_component(follow_up)

    return components
