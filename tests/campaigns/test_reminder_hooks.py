"""The hook other apps call to schedule reminders (follow-ups, letter days, FOI deadlines)."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType

from campaigns import reminders
from campaigns.models import Reminder
from tests.factories import CampaignFactory

UTC = dt.UTC
DUE = dt.datetime(2027, 5, 3, 7, tzinfo=UTC)


def schedule(user, due_at=DUE, **overrides):
    fields = {
        "recipient": user,
        "due_at": due_at,
        "kind": Reminder.Kind.FOLLOW_UP,
        "source_key": "followup:9",
        "title": "Send the minister the victim-assistance figures",
        "message": "Promised at the meeting on 2 May.",
        "url": "/meetings/9/",
        **overrides,
    }
    return reminders.reminder_schedule(**fields)


def test_it_schedules_a_reminder_for_a_follow_up(campaigner):
    campaign = CampaignFactory()

    reminder = schedule(campaigner, target=campaign)

    reminder.refresh_from_db()
    assert (reminder.recipient, reminder.due_at, reminder.kind) == (
        campaigner,
        DUE,
        Reminder.Kind.FOLLOW_UP,
    )
    assert reminder.state == Reminder.State.PENDING
    assert reminder.target_type == ContentType.objects.get_for_model(campaign)
    assert reminder.target_id == str(campaign.pk)


def test_scheduling_again_moves_the_same_reminder(campaigner):
    first = schedule(campaigner)

    later = DUE + dt.timedelta(days=2)
    second = schedule(campaigner, due_at=later, title="Send the figures, updated")

    assert second.pk == first.pk
    assert Reminder.objects.get().due_at == later
    assert Reminder.objects.get().title == "Send the figures, updated"


def test_a_sent_reminder_is_not_rescheduled(campaigner):
    first = schedule(campaigner)
    Reminder.objects.filter(pk=first.pk).update(state=Reminder.State.SENT)

    schedule(campaigner, due_at=DUE + dt.timedelta(days=2))

    reminder = Reminder.objects.get()
    assert (reminder.state, reminder.due_at) == (Reminder.State.SENT, DUE)


def test_cancelling_and_scheduling_again_revives_it(campaigner):
    schedule(campaigner)

    assert reminders.reminder_cancel(source_key="followup:9") == 1
    assert Reminder.objects.get().state == Reminder.State.CANCELLED

    schedule(campaigner)
    assert Reminder.objects.get().state == Reminder.State.PENDING


def test_cancel_leaves_sent_reminders_and_other_recipients_alone(campaigner, coordinator):
    sent = schedule(campaigner)
    Reminder.objects.filter(pk=sent.pk).update(state=Reminder.State.SENT)
    theirs = schedule(coordinator)

    assert reminders.reminder_cancel(source_key="followup:9", recipient=campaigner) == 0

    assert Reminder.objects.get(pk=sent.pk).state == Reminder.State.SENT
    assert Reminder.objects.get(pk=theirs.pk).state == Reminder.State.PENDING


def test_each_recipient_gets_one_reminder_per_source(campaigner, coordinator):
    schedule(campaigner)
    schedule(campaigner)
    schedule(coordinator)

    assert Reminder.objects.filter(source_key="followup:9").count() == 2
