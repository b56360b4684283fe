"""Dispatch and delivery, in-process: claimed once, delivered once, failures kept visible."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from advocacy.models import Notification, User
from campaigns import reminders, tasks
from campaigns.models import Reminder
from tests.campaigns import reminder_world as world

TITLE = "Call the desk officer about Kenya's ratification"
MESSAGE = "Ask whether the bill reaches cabinet before the recess."


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """Run the dispatcher; the delivery tasks it queues run in-process once it commits."""

    def dispatch(**kwargs) -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_dispatch(**kwargs)

    return dispatch


def test_a_due_reminder_becomes_a_notification_and_an_email(dispatch, campaigner):
    [reminder] = world.due_reminders([campaigner], 1)

    assert dispatch() == [reminder.pk]

    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.SENT
    assert reminder.sent_at is not None
    assert reminder.attempts == 1
    notification = Notification.objects.get()
    assert (notification.recipient, notification.source_key) == (
        campaigner,
        f"reminder:{reminder.pk}",
    )
    assert (notification.title, notification.body, notification.url) == (
        TITLE,
        MESSAGE,
        "/campaigns/",
    )
    assert notification.emailed_at is not None
    campaigner.refresh_from_db()
    assert campaigner.unread_notifications == 1
    [email] = mail.outbox
    assert email.to == [campaigner.email]
    assert f"/notifications/{notification.pk}/" in email.body


def test_emails_carry_a_link_and_no_reminder_text(dispatch, campaigner):
    world.due_reminders([campaigner], 1)

    dispatch()

    [email] = mail.outbox
    for secret in ("Kenya", "desk officer", "cabinet", "recess", "/campaigns/"):
        assert secret not in email.subject
        assert secret not in email.body
    assert email.subject == "You have a reminder in Advocacy"


def test_emails_are_in_the_recipients_language(dispatch, campaigner):
    campaigner.language = "fr"
    campaigner.save()
    world.due_reminders([campaigner], 1)

    dispatch()

    # The catalogues are filled in later; the message must at least render for French.
    assert mail.outbox[0].to == [campaigner.email]


def test_reminders_not_yet_due_stay_pending(dispatch, campaigner):
    [later] = world.due_reminders([campaigner], 1, due_at=timezone.now() + dt.timedelta(hours=1))

    assert dispatch() == []

    later.refresh_from_db()
    assert later.state == Reminder.State.PENDING
    assert not Notification.objects.exists()


def test_in_app_only_sends_no_email(dispatch, campaigner):
    campaigner.reminder_delivery = User.ReminderDelivery.IN_APP
    campaigner.save()
    world.due_reminders([campaigner], 2)

    dispatch()

    assert Notification.objects.count() == 2
    assert Reminder.objects.filter(state=Reminder.State.SENT).count() == 2
    assert mail.outbox == []


def test_digest_readers_get_no_email_per_reminder(dispatch, campaigner):
    campaigner.reminder_delivery = User.ReminderDelivery.DIGEST
    campaigner.save()
    world.due_reminders([campaigner], 1)

    dispatch()

    assert Notification.objects.get().emailed_at is None
    assert Reminder.objects.get().state == Reminder.State.SENT
    assert mail.outbox == []


def test_delivering_twice_makes_one_notification_and_one_email(dispatch, campaigner):
    [reminder] = world.due_reminders([campaigner], 1)
    dispatch()

    # A retried task, or a message delivered again after a worker restart.
    tasks.reminder_deliver.delay(reminder.pk)
    Reminder.objects.filter(pk=reminder.pk).update(state=Reminder.State.QUEUED)
    tasks.reminder_deliver.delay(reminder.pk)

    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    campaigner.refresh_from_db()
    assert campaigner.unread_notifications == 1


def test_the_dispatcher_works_through_many_in_batches(dispatch, campaigner, coordinator):
    world.due_reminders([campaigner, coordinator], 7)

    claimed = dispatch(batch_size=3)

    assert len(claimed) == len(set(claimed)) == 14
    assert Notification.objects.count() == 14
    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.SENT}


def test_a_queued_reminder_whose_message_was_lost_is_sent_again(dispatch, campaigner, settings):
    settings.REMINDERS_REQUEUE_AFTER = 300
    [lost, recent] = world.due_reminders([campaigner], 2)
    long_ago = timezone.now() - dt.timedelta(minutes=6)
    Reminder.objects.filter(pk=lost.pk).update(state="queued", queued_at=long_ago, attempts=1)
    Reminder.objects.filter(pk=recent.pk).update(state="queued", queued_at=timezone.now())

    assert dispatch() == [lost.pk]

    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.state, lost.attempts) == (Reminder.State.SENT, 2)
    assert recent.state == Reminder.State.QUEUED


def test_a_reminder_that_never_gets_through_is_given_up_as_failed(dispatch, campaigner):
    [stuck] = world.due_reminders([campaigner], 1)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Reminder.objects.filter(pk=stuck.pk).update(
        state="queued", queued_at=long_ago, attempts=reminders.MAX_CLAIMS
    )

    assert dispatch() == []

    stuck.refresh_from_db()
    assert stuck.state == Reminder.State.FAILED
    assert "Not delivered after 5 tries." in stuck.last_error


def test_when_the_broker_is_down_claimed_reminders_wait_and_go_later(
    dispatch, campaigner, settings
):
    world.due_reminders([campaigner], 3)
    with mock.patch.object(
        tasks.reminder_deliver, "delay", side_effect=OperationalError("Connection refused")
    ):
        dispatch()
    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.QUEUED}

    later = timezone.now() + dt.timedelta(seconds=settings.REMINDERS_REQUEUE_AFTER + 1)
    dispatch(now=later)

    assert set(Reminder.objects.values_list("state", flat=True)) == {Reminder.State.SENT}
    assert Notification.objects.count() == 3


def test_cancelled_reminders_and_inactive_people_get_nothing(dispatch, campaigner, coordinator):
    [cancelled] = world.due_reminders([campaigner], 1, state="cancelled")
    coordinator.is_active = False
    coordinator.save()
    [gone] = world.due_reminders([coordinator], 1)

    dispatch()

    gone.refresh_from_db()
    cancelled.refresh_from_db()
    assert (cancelled.state, gone.state) == (Reminder.State.CANCELLED, Reminder.State.CANCELLED)
    assert not Notification.objects.exists()


def test_a_mail_server_that_keeps_failing_leaves_a_failed_reminder_and_the_notification(
    dispatch, campaigner, eager_retries
):
    [reminder] = world.due_reminders([campaigner], 1)
    failing = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with mock.patch("advocacy.notifications.send_mail", side_effect=failing) as send:
        dispatch()

    # Tried once and retried four times; the in-app copy is there all along.
    assert send.call_count == 5
    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.FAILED
    assert reminder.last_error == "Connection unexpectedly closed"
    notification = Notification.objects.get()
    assert notification.emailed_at is None

    # The retry button: the dispatcher's next tick sends it, and only the email is new.
    assert reminders.reminder_retry(reminder=reminder)
    dispatch()
    reminder.refresh_from_db()
    assert (reminder.state, reminder.last_error) == (Reminder.State.SENT, "")
    assert Notification.objects.get().pk == notification.pk
    assert len(mail.outbox) == 1


def test_a_mail_server_that_recovers_during_the_retries_sends_once(
    dispatch, campaigner, eager_retries
):
    world.due_reminders([campaigner], 1)
    real_send = mail.send_mail
    outcomes = [smtplib.SMTPServerDisconnected("busy"), None]

    def flaky(*args, **kwargs):
        if outcomes.pop(0):
            raise smtplib.SMTPServerDisconnected("busy")
        return real_send(*args, **kwargs)

    with mock.patch("advocacy.notifications.send_mail", side_effect=flaky):
        dispatch()

    assert Reminder.objects.get().state == Reminder.State.SENT
    assert len(mail.outbox) == 1
