"""Builders shared by the reminder tests: a treaty, calendars, events, rules and due rows."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from advocacy.models import Visibility
from campaigns.models import Calendar, CalendarEvent, Reminder, ReminderRule, Treaty

UTC = dt.UTC


def local(zone: str, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(zone))


def treaty(code: str = "ccm") -> Treaty:
    return Treaty.objects.get_or_create(
        code=code, defaults={"name": "Convention on Cluster Munitions", "short_name": "CCM"}
    )[0]


def calendar(organisation, *, name="Treaty calendar", visibility=Visibility.ORGANISATION):
    return Calendar.objects.create(organisation=organisation, name=name, visibility=visibility)


def event(calendar, start, *, kind=CalendarEvent.Kind.MEETING_OF_STATES_PARTIES, **fields):
    fields.setdefault("title", "Meeting of States Parties")
    fields.setdefault("time_zone", "Europe/Zurich")
    return CalendarEvent.objects.create(calendar=calendar, start=start, kind=kind, **fields)


def rule(campaign, amount, *, unit="days", direction="before", **fields) -> ReminderRule:
    fields.setdefault("event_kind", CalendarEvent.Kind.MEETING_OF_STATES_PARTIES)
    fields.setdefault("notify_role", "campaigner")
    fields.setdefault("message", "Book meetings with the delegation.")
    return ReminderRule.objects.create(
        campaign=campaign,
        organisation=campaign.organisation,
        amount=amount,
        unit=unit,
        direction=direction,
        **fields,
    )


def due_reminders(recipients, count: int, *, due_at=None, key="test", **fields) -> list[Reminder]:
    """`count` reminders for each recipient, due now unless told otherwise."""
    due_at = due_at or timezone.now() - dt.timedelta(seconds=1)
    fields.setdefault("kind", Reminder.Kind.CUSTOM)
    fields.setdefault("title", "Call the desk officer about Kenya's ratification")
    fields.setdefault("message", "Ask whether the bill reaches cabinet before the recess.")
    fields.setdefault("url", "/campaigns/")
    return Reminder.objects.bulk_create(
        Reminder(recipient=user, due_at=due_at, source_key=f"{key}:{n}", **fields)
        for user in recipients
        for n in range(count)
    )
