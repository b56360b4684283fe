"""Reminders: planned from their sources, claimed when due, delivered once.

The database is the source of truth. Planning turns rules over calendar events, follow-ups
(through `reminder_schedule`), quiet relationships and "remind me" requests into Reminder
rows, each with a deterministic `source_key` unique per recipient, so planning again never
makes a second one. Beat's dispatcher claims due rows with row locks and queues one delivery
task per row; delivery makes one notification per reminder, guaranteed by the unique
(recipient, source_key) of Notification, and emails by the recipient's preference.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from advocacy import notifications
from advocacy.models import Membership, Organisation, User, Visibility
from advocacy.tasks import NETWORK_ERRORS
from advocacy.zones import local_to_utc
from campaigns.models import (
    Calendar,
    CalendarEvent,
    Campaign,
    Relationship,
    Reminder,
    ReminderRule,
)
from campaigns.recurrence import Occurrence, event_occurrences, zone

logger = logging.getLogger(__name__)

UTC = dt.UTC
# Rules are planned this far ahead; the planning task moves the horizon along every run.
HORIZON = dt.timedelta(days=400)
# A reminder whose time passed shortly before it was planned still goes out (a rule saved at
# 09:05 for "one hour before" a 10:00 meeting); older ones would only be noise.
GRACE = dt.timedelta(days=1)
# All-day events have no hour; their reminders go out at this local hour.
ALL_DAY_HOUR = 9
# Quiet-relationship reminders go out at this hour of the owner's day.
QUIET_HOUR = 9
# A reminder claimed this many times without being delivered is given up as failed.
MAX_CLAIMS = 5


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


# Rules over calendar events ----------------------------------------------------------------


@dataclass(frozen=True)
class DefaultRule:
    amount: int
    direction: str
    message: str


def _treaty_default_rules() -> list[DefaultRule]:
    before, after = ReminderRule.Direction.BEFORE, ReminderRule.Direction.AFTER
    return [
        DefaultRule(
            56,
            before,
            _(
                "Eight weeks to the meeting of states parties: plan the lobbying, ask the "
                "ministry who will attend and what the delegation will say."
            ),
        ),
        DefaultRule(
            28,
            before,
            _(
                "Four weeks to the meeting of states parties: invite MPs, send briefings and "
                "book meetings with the delegation."
            ),
        ),
        DefaultRule(
            7,
            before,
            _(
                "One week to the meeting of states parties: confirm meetings, print "
                "leave-behinds and check who speaks for the government."
            ),
        ),
        DefaultRule(
            1,
            after,
            _(
                "The meeting of states parties is over: make sure officials report on it, "
                "to parliament and to us."
            ),
        ),
    ]


@transaction.atomic
def reminder_rules_create_defaults(
    *, campaign: Campaign, created_by: User | None = None
) -> list[ReminderRule]:
    """The treaty calendar's rules for a campaign with a treaty: 8, 4 and 1 week before a
    meeting of states parties and the day after. Rules it already has are left alone."""
    if campaign.treaty_id is None:
        return []
    kind = CalendarEvent.Kind.MEETING_OF_STATES_PARTIES
    existing = set(
        campaign.reminder_rules.filter(event_kind=kind, unit=ReminderRule.Unit.DAYS).values_list(
            "amount", "direction"
        )
    )
    created = []
    for default in _treaty_default_rules():
        if (default.amount, default.direction) in existing:
            continue
        rule = ReminderRule(
            campaign=campaign,
            event_kind=kind,
            amount=default.amount,
            unit=ReminderRule.Unit.DAYS,
            direction=default.direction,
            notify_role=Membership.Role.CAMPAIGNER,
            message=default.message,
        )
        created.append(reminder_rule_save(rule=rule, user=created_by))
    return created


@transaction.atomic
def reminder_rule_save(*, rule: ReminderRule, user: User | None = None) -> ReminderRule:
    """Create or change a rule; its reminders are planned again once the change commits."""
    from campaigns import tasks

    rule.organisation_id = rule.campaign.organisation_id
    if rule._state.adding:
        rule.created_by = user
    rule.full_clean()
    rule.save()
    # A rule can match hundreds of occurrences times everyone with a role: plan it in the
    # worker. If the broker is down, the periodic planning does it a few minutes later.
    transaction.on_commit(partial(tasks.reminder_rule_plan.delay, rule.pk), robust=True)
    return rule


@transaction.atomic
def reminder_rule_delete(*, rule: ReminderRule) -> int:
    """Delete a rule and cancel what it had planned but not yet sent; returns that number."""
    cancelled = _cancel(Reminder.objects.filter(rule=rule))
    rule.delete()
    return cancelled


def _cancel(reminders: models.QuerySet[Reminder]) -> int:
    # A row being delivered right now is locked; this waits for it and then finds it sent.
    return reminders.filter(state__in=[Reminder.State.PENDING, Reminder.State.QUEUED]).update(
        state=Reminder.State.CANCELLED
    )


def _calendars_seen_by(organisation: Organisation) -> models.QuerySet[Calendar]:
    """Calendars every member of the organisation can see (private ones are left out)."""
    shared = Q(
        organisation=organisation, visibility__in=[Visibility.ORGANISATION, Visibility.COALITION]
    )
    coalition_id = organisation.pk if organisation.is_coalition else organisation.coalition_id
    if coalition_id:
        shared |= Q(visibility=Visibility.COALITION) & (
            Q(organisation_id=coalition_id) | Q(organisation__coalition_id=coalition_id)
        )
    return Calendar.objects.filter(shared)


def rule_events(rule: ReminderRule) -> models.QuerySet[CalendarEvent]:
    """Events a rule applies to: the campaign's own, and those of its treaty that belong to
    no other campaign, in calendars the whole organisation can see."""
    campaign = rule.campaign
    match = Q(campaign=campaign)
    if campaign.treaty_id:
        match |= Q(treaty_id=campaign.treaty_id, campaign=None)
    events = CalendarEvent.objects.filter(match).filter(
        calendar__in=_calendars_seen_by(rule.organisation).values("id")
    )
    if rule.event_kind:
        events = events.filter(kind=rule.event_kind)
    return events


def rule_recipients(rule: ReminderRule) -> list[int]:
    """Ids of the active members with the rule's role who can see its campaign."""
    campaign = rule.campaign
    users = User.objects.filter(
        is_active=True,
        memberships__organisation_id=rule.organisation_id,
        memberships__role=rule.notify_role,
    )
    if campaign.visibility == Visibility.PRIVATE:
        users = users.filter(pk=campaign.created_by_id)
    return list(users.values_list("pk", flat=True))


def _offset(rule: ReminderRule) -> dt.timedelta:
    if rule.unit == ReminderRule.Unit.HOURS:
        return dt.timedelta(hours=rule.amount)
    return dt.timedelta(days=rule.amount)


def rule_due_at(rule: ReminderRule, occurrence: Occurrence) -> dt.datetime:
    """When a rule's reminder for one occurrence is due.

    Before counts from the start, after from the end. Days are counted on the event's own
    wall clock, so "a week before 14:30 in Geneva" is 14:30 in Geneva whatever the clocks
    did in between; hours are plain elapsed time. All-day events are anchored at 09:00 of
    their first day (before) or their last day (after).
    """
    after = rule.direction == ReminderRule.Direction.AFTER
    sign = 1 if after else -1
    tz_name = occurrence.time_zone
    if occurrence.all_day:
        if after and occurrence.end:
            # An all-day end is the midnight after the last day.
            last_day = (occurrence.local_end - dt.timedelta(seconds=1)).date()
        else:
            last_day = occurrence.local_start.date()
        anchor_day = last_day if after else occurrence.local_start.date()
        local_anchor = dt.datetime.combine(anchor_day, dt.time(ALL_DAY_HOUR))
    else:
        anchor = (occurrence.end or occurrence.start) if after else occurrence.start
        local_anchor = anchor.astimezone(zone(tz_name)).replace(tzinfo=None)
    if rule.unit == ReminderRule.Unit.HOURS:
        return local_to_utc(local_anchor, tz_name) + sign * _offset(rule)
    return local_to_utc(local_anchor + sign * _offset(rule), tz_name)


def _event_title(event: CalendarEvent, occurrence: Occurrence) -> str:
    return f"{event.title} ({occurrence.local_start:%Y-%m-%d})"


def _rule_wanted(
    rule: ReminderRule, start: dt.datetime, end: dt.datetime
) -> dict[tuple[int, str], Reminder]:
    """The reminders a rule calls for with due times in [start, end), keyed like the table."""
    recipients = rule_recipients(rule) if rule.is_active else []
    if not recipients:
        return {}
    offset = _offset(rule)
    # Occurrences whose anchor lands the due time in the window; two days' margin for
    # wall-clock arithmetic and all-day anchors, trimmed exactly below.
    margin = dt.timedelta(days=2)
    if rule.direction == ReminderRule.Direction.BEFORE:
        window = (start + offset - margin, end + offset + margin)
    else:
        window = (start - offset - margin, end - offset + margin)
    wanted = {}
    for event in rule_events(rule):
        url = event.get_absolute_url()
        try:
            occurrences = event_occurrences(event, *window)
        except ValueError:
            # A recurrence the parser refuses must not stop every other event's reminders.
            logger.warning("Event %s has a recurrence that cannot be expanded", event.pk)
            continue
        for occurrence in occurrences:
            due_at = rule_due_at(rule, occurrence)
            if not start <= due_at < end:
                continue
            key = f"rule:{rule.pk}:event:{event.pk}:{_stamp(occurrence.start)}:{_stamp(due_at)}"
            for recipient_id in recipients:
                wanted[(recipient_id, key)] = Reminder(
                    recipient_id=recipient_id,
                    due_at=due_at,
                    kind=Reminder.Kind.EVENT,
                    source_key=key,
                    rule=rule,
                    event=event,
                    occurrence_start=occurrence.start,
                    title=_event_title(event, occurrence),
                    message=rule.message,
                    url=url,
                )
    return wanted


@dataclass
class PlanResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0

    def add(self, other: PlanResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.cancelled += other.cancelled


@transaction.atomic
def rule_plan(*, rule: ReminderRule, now: dt.datetime | None = None) -> PlanResult:
    """Bring a rule's reminders in line with its events, recipients and settings.

    Creates what is missing, revives what was cancelled and is wanted again, updates the
    text of pending ones and cancels pending ones nothing calls for any more. Sent, queued
    and failed reminders are history and left alone.
    """
    now = now or timezone.now()
    result = PlanResult()
    start = now - GRACE
    oldest_pending = rule.reminders.filter(state=Reminder.State.PENDING).aggregate(
        oldest=models.Min("due_at")
    )["oldest"]
    if oldest_pending and oldest_pending < start:
        # Pending ones from before the grace period (the dispatcher was down) are only
        # cancelled if they are no longer wanted, so the window must reach back to them.
        start = oldest_pending
    wanted = _rule_wanted(rule, start, now + HORIZON)
    existing = {
        (r.recipient_id, r.source_key): r
        for r in rule.reminders.filter(due_at__gte=start).only(
            "pk", "recipient_id", "source_key", "state", "due_at", "title", "message", "url"
        )
    }
    fresh_enough = now - GRACE
    new = [
        reminder
        for key, reminder in wanted.items()
        if key not in existing and reminder.due_at >= fresh_enough
    ]
    # Another planner may be inserting the same rows right now; the constraint decides.
    Reminder.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    result.created = len(new)

    revive, stale = [], []
    for key, current in existing.items():
        want = wanted.get(key)
        if want is None:
            if current.state == Reminder.State.PENDING:
                stale.append(current.pk)
        elif current.state == Reminder.State.CANCELLED and want.due_at >= fresh_enough:
            revive.append(current.pk)
        elif current.state == Reminder.State.PENDING and (
            (current.title, current.message, current.url) != (want.title, want.message, want.url)
        ):
            result.updated += Reminder.objects.filter(
                pk=current.pk, state=Reminder.State.PENDING
            ).update(title=want.title, message=want.message, url=want.url)
    if revive:
        result.created += Reminder.objects.filter(
            pk__in=revive, state=Reminder.State.CANCELLED
        ).update(state=Reminder.State.PENDING, message=rule.message)
    if stale:
        result.cancelled = Reminder.objects.filter(
            pk__in=stale, state=Reminder.State.PENDING
        ).update(state=Reminder.State.CANCELLED)
    return result


def reminders_plan(*, now: dt.datetime | None = None) -> PlanResult:
    """The periodic planning: every rule, then quiet relationships. Idempotent."""
    now = now or timezone.now()
    result = PlanResult()
    rules = ReminderRule.objects.select_related("campaign", "organisation")
    for rule in rules.iterator():
        result.add(rule_plan(rule=rule, now=now))
    # Rules deleted without reminder_rule_delete (the admin, a cascade) leave orphans.
    result.cancelled += _cancel(
        Reminder.objects.filter(kind=Reminder.Kind.EVENT, rule=None, source_key__startswith="rule:")
    )
    result.add(relationships_plan(now=now))
    return result


# The hook for other apps: follow-ups, letter actions, FOI deadlines -----------------------


def reminder_schedule(
    *,
    recipient: User,
    due_at: dt.datetime,
    kind: str,
    source_key: str,
    title: str,
    message: str = "",
    url: str = "",
    target: models.Model | None = None,
) -> Reminder:
    """Remind `recipient` at `due_at` about something; call it again to move or reword it.

    `source_key` names the thing ("followup:9"); one reminder per recipient and key. A
    pending or cancelled reminder is updated (and revived); one already sent, queued or
    failed is left as it is, so put the due date in the key if moving it should remind again.
    """
    fields = {
        "due_at": due_at,
        "kind": kind,
        "title": title[:300],
        "message": message,
        "url": url[:500],
        "target_type": ContentType.objects.get_for_model(target) if target is not None else None,
        "target_id": str(target.pk) if target is not None else "",
    }
    with transaction.atomic():
        reminder, created = Reminder.objects.select_for_update().get_or_create(
            recipient=recipient, source_key=source_key, defaults=fields
        )
        if not created and reminder.state in (Reminder.State.PENDING, Reminder.State.CANCELLED):
            for name, value in fields.items():
                setattr(reminder, name, value)
            reminder.state = Reminder.State.PENDING
            reminder.save(update_fields=[*fields, "state"])
    return reminder


def reminder_cancel(*, source_key: str, recipient: User | None = None) -> int:
    """Cancel the reminders for `source_key` (everyone's, or one recipient's) not yet sent."""
    reminders = Reminder.objects.filter(source_key=source_key)
    if recipient is not None:
        reminders = reminders.filter(recipient=recipient)
    return _cancel(reminders)


# Quiet relationships -----------------------------------------------------------------------


def relationship_quiet_since(relationship: Relationship) -> dt.date:
    """The day the relationship goes (or went) quiet: last contact plus the cadence."""
    baseline = relationship.last_contact_on or timezone.localdate(
        relationship.created_at, zone(relationship.owner.time_zone)
    )
    return baseline + dt.timedelta(days=relationship.cadence_days)


def _quiet_reminder(relationship: Relationship, quiet_on: dt.date) -> Reminder:
    owner = relationship.owner
    return Reminder(
        recipient=owner,
        due_at=local_to_utc(dt.datetime.combine(quiet_on, dt.time(QUIET_HOUR)), owner.time_zone),
        kind=Reminder.Kind.QUIET_RELATIONSHIP,
        source_key=f"quiet:{relationship.pk}:{quiet_on.isoformat()}",
        target_type=ContentType.objects.get_for_model(relationship.person),
        target_id=str(relationship.person_id),
        title=_("Time to get in touch with %(name)s") % {"name": relationship.person.name},
        message=relationship.note,
        url=relationship.person.get_absolute_url(),
    )


def _relationship_plan(relationship: Relationship, now: dt.datetime) -> PlanResult:
    result = PlanResult()
    prefix = f"quiet:{relationship.pk}:"
    wanted = None
    if relationship.owner.is_active:
        reminder = _quiet_reminder(relationship, relationship_quiet_since(relationship))
        if reminder.due_at <= now:
            wanted = reminder
    # A contact logged since starts a new period: the old period's reminder is not wanted.
    stale = Reminder.objects.filter(source_key__startswith=prefix, state=Reminder.State.PENDING)
    if wanted is not None:
        stale = stale.exclude(source_key=wanted.source_key)
        # Once per period: a period already reminded about is in the table already.
        result.created = len(Reminder.objects.bulk_create([wanted], ignore_conflicts=True))
    result.cancelled = stale.update(state=Reminder.State.CANCELLED)
    return result


def relationships_plan(*, now: dt.datetime | None = None) -> PlanResult:
    """One reminder for each quiet period that has begun.

    A period begins `cadence_days` after the last contact (or after the relationship was
    added, if there was none); the reminder is made once that day's 09:00 has passed in the
    owner's time zone.
    """
    now = now or timezone.now()
    result = PlanResult()
    for relationship in Relationship.objects.select_related("owner", "person").iterator():
        with transaction.atomic():
            result.add(_relationship_plan(relationship, now))
    return result


@transaction.atomic
def relationship_save(*, relationship: Relationship) -> Relationship:
    relationship.full_clean()
    relationship.save()
    _relationship_plan(relationship, timezone.now())
    return relationship


def relationships_contacted(*, organisation_id: int, people, day: dt.date) -> int:
    """A meeting held or a reply received is a contact: move `last_contact_on` forward to
    `day` on the relationships that the organisation's people keep with `people` (a queryset
    of person ids), so the quiet reminder of the old period goes. Returns how many moved."""
    members = Organisation.objects.filter(pk=organisation_id).values("memberships__user")
    stale = Relationship.objects.filter(person__in=people, owner__in=members).filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=day)
    )
    moved = 0
    for relationship in stale.select_related("owner", "person"):
        relationship.last_contact_on = day
        relationship_save(relationship=relationship)
        moved += 1
    return moved


@transaction.atomic
def relationship_delete(*, relationship: Relationship) -> None:
    _cancel(Reminder.objects.filter(source_key__startswith=f"quiet:{relationship.pk}:"))
    relationship.delete()


# "Remind me" on any record ----------------------------------------------------------------


def reminder_remind_me(
    *, user: User, target: models.Model, due_at: dt.datetime, note: str = ""
) -> Reminder:
    """A reminder for the user about a record at a time they chose."""
    content_type = ContentType.objects.get_for_model(target)
    get_url = getattr(target, "get_absolute_url", None)
    return reminder_schedule(
        recipient=user,
        due_at=due_at,
        kind=Reminder.Kind.CUSTOM,
        source_key=f"custom:{content_type.pk}:{target.pk}:{_stamp(due_at)}",
        title=str(target),
        message=note,
        url=get_url() if get_url else "",
        target=target,
    )


# Dispatch and delivery ---------------------------------------------------------------------


def _enqueue(ids: list[int]) -> None:
    from campaigns import tasks

    for position, pk in enumerate(ids):
        try:
            tasks.reminder_deliver.delay(pk)
        except BrokerError:
            # The broker is down: these rows stay queued and the dispatcher takes them
            # back once REMINDERS_REQUEUE_AFTER has passed.
            logger.warning("Broker unavailable; %d reminders wait", len(ids) - position)
            return


def _claim_batch(*, now: dt.datetime, size: int) -> tuple[list[int], int]:
    """Claim up to `size` rows; returns the ids queued and how many rows were looked at."""
    stale_before = now - dt.timedelta(seconds=settings.REMINDERS_REQUEUE_AFTER)
    with transaction.atomic():
        # SKIP LOCKED: two dispatchers at once each take different rows, and neither waits
        # for the other. SQLite has no row locks; Django leaves the clause out there, where
        # one worker runs alone.
        due = Reminder.objects.select_for_update(skip_locked=True).filter(
            state=Reminder.State.PENDING, due_at__lte=now
        )
        rows = list(due.order_by("due_at").values_list("pk", "attempts")[:size])
        if len(rows) < size:
            # Queued long ago and never delivered: a lost message, a dead worker, a broker
            # that was down. Delivery is idempotent, so sending it again is safe.
            lost = Reminder.objects.select_for_update(skip_locked=True).filter(
                state=Reminder.State.QUEUED, queued_at__lt=stale_before
            )
            rows += lost.order_by("queued_at").values_list("pk", "attempts")[: size - len(rows)]
        given_up = [pk for pk, attempts in rows if attempts >= MAX_CLAIMS]
        ids = [pk for pk, attempts in rows if attempts < MAX_CLAIMS]
        if given_up:
            Reminder.objects.filter(pk__in=given_up).update(
                state=Reminder.State.FAILED,
                last_error=_("Not delivered after %(count)d tries.") % {"count": MAX_CLAIMS},
            )
        if ids:
            Reminder.objects.filter(pk__in=ids).update(
                state=Reminder.State.QUEUED, queued_at=now, attempts=F("attempts") + 1
            )
            # Robust: an error while queueing (tasks run inline when eager) must not undo
            # the claim; rows not queued are taken back after REMINDERS_REQUEUE_AFTER.
            transaction.on_commit(partial(_enqueue, ids), robust=True)
    return ids, len(rows)


def reminders_dispatch(
    *, now: dt.datetime | None = None, batch_size: int | None = None
) -> list[int]:
    """Claim every due reminder, in batches, and queue one delivery task for each.

    Returns the ids claimed. Each batch commits before its tasks are sent, so a worker
    never looks for a row whose new state it cannot see yet.
    """
    now = now or timezone.now()
    size = batch_size or settings.REMINDERS_DISPATCH_BATCH
    claimed: list[int] = []
    while True:
        ids, seen = _claim_batch(now=now, size=size)
        claimed += ids
        if seen < size:
            return claimed


def reminder_deliver(*, reminder_id: int, final_attempt: bool = True) -> None:
    """Deliver one queued reminder: its notification, and an email if the recipient wants
    one per reminder. A reminder already delivered is left alone.

    Network errors are recorded on the row and raised again for the task to retry; on the
    final attempt the reminder becomes failed, for the recipient to see and retry.
    """
    error = None
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=reminder_id)
            .first()
        )
        if reminder is None or reminder.state != Reminder.State.QUEUED:
            return
        recipient = reminder.recipient
        if not recipient.is_active:
            reminder.state = Reminder.State.CANCELLED
            reminder.save(update_fields=["state"])
            return
        notification, _created = notifications.notification_create(
            recipient=recipient,
            source_key=f"reminder:{reminder.pk}",
            title=reminder.title,
            body=reminder.message,
            url=reminder.url,
        )
        try:
            wants_email = recipient.reminder_delivery == User.ReminderDelivery.EMAIL
            if wants_email and notification.emailed_at is None:
                notifications.notification_email(notification=notification)
        except NETWORK_ERRORS as exc:
            error = exc
            reminder.last_error = str(exc)[:500] or exc.__class__.__name__
            # The retry comes well before the dispatcher would take the row back.
            reminder.queued_at = timezone.now()
            if final_attempt:
                reminder.state = Reminder.State.FAILED
            reminder.save(update_fields=["last_error", "queued_at", "state"])
        else:
            reminder.state = Reminder.State.SENT
            reminder.sent_at = timezone.now()
            reminder.last_error = ""
            reminder.save(update_fields=["state", "sent_at", "last_error"])
    if error is not None:
        raise error


@transaction.atomic
def reminder_retry(*, reminder: Reminder) -> bool:
    """Send a failed reminder again at the dispatcher's next tick."""
    return bool(
        Reminder.objects.filter(pk=reminder.pk, state=Reminder.State.FAILED).update(
            state=Reminder.State.PENDING, attempts=0, queued_at=None
        )
    )
