"""The daily digest: at 08:00 in each user's own time zone, across daylight-saving changes."""

import datetime as dt
import smtplib
import zoneinfo
from unittest import mock

import pytest
from django.core import mail

from advocacy import notifications
from advocacy.models import Notification, User
from tests.factories import UserFactory

UTC = dt.UTC
QUARTER = dt.timedelta(minutes=15)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def digest_reader(time_zone: str, **fields) -> User:
    return UserFactory(
        time_zone=time_zone, reminder_delivery=User.ReminderDelivery.DIGEST, **fields
    )


def waiting(user, at: dt.datetime, n: int = 0) -> Notification:
    return Notification.objects.create(
        recipient=user,
        source_key=f"reminder:{at:%Y%m%d%H%M}:{n}",
        title="Eight weeks to the meeting of states parties in Geneva",
        body="Ask the ministry of foreign affairs of Kenya who attends.",
        created_at=at,
    )


def run_every_quarter_hour(user, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Run the digest task every 15 minutes from start to end, as beat does; return the
    moments a digest went out. Something is always waiting to be sent."""
    local_start = start.astimezone(zoneinfo.ZoneInfo(user.time_zone))
    # Yesterday's digest (or today's, if 08:00 has passed) went out before the window.
    user.last_digest_on = local_start.date() - dt.timedelta(days=local_start.hour < 8)
    user.save()
    waiting(user, start)
    sent_at = []
    tick = start
    while tick < end:
        before = len(mail.outbox)
        notifications.digests_send_due(now=tick)
        if len(mail.outbox) > before:
            sent_at.append(tick)
            waiting(user, tick)
        tick += QUARTER
    return sent_at


@pytest.mark.parametrize(
    ("time_zone", "first_day", "utc_hours"),
    [
        # New York: clocks go forward at 02:00 on Sunday 14 March 2027, so 08:00 moves
        # from 13:00 to 12:00 UTC.
        ("America/New_York", dt.date(2027, 3, 13), [13, 12, 12]),
        # Geneva: forward on Sunday 28 March 2027.
        ("Europe/Zurich", dt.date(2027, 3, 27), [7, 6, 6]),
        # Beirut: forward at midnight on Sunday 28 March 2027.
        ("Asia/Beirut", dt.date(2027, 3, 27), [6, 5, 5]),
        # Suva keeps UTC+12 all year: 08:00 there is 20:00 UTC the day before.
        ("Pacific/Fiji", dt.date(2027, 3, 27), [20, 20, 20]),
        # And back in the autumn: Geneva and Beirut on 31 October, New York on 7 November.
        ("Europe/Zurich", dt.date(2027, 10, 30), [6, 7, 7]),
        ("Asia/Beirut", dt.date(2027, 10, 30), [5, 6, 6]),
        ("America/New_York", dt.date(2027, 11, 6), [12, 13, 13]),
    ],
)
def test_the_digest_goes_out_at_eight_local_time_once_a_day(db, time_zone, first_day, utc_hours):
    user = digest_reader(time_zone)
    start = utc(first_day.year, first_day.month, first_day.day)

    sent_at = run_every_quarter_hour(user, start, start + dt.timedelta(days=3))

    expected = [start + dt.timedelta(days=day, hours=hour) for day, hour in enumerate(utc_hours)]
    assert sent_at == expected
    local = [moment.astimezone(zoneinfo.ZoneInfo(time_zone)) for moment in sent_at]
    assert {moment.strftime("%H:%M") for moment in local} == {"08:00"}


def test_the_digest_lists_links_only(db):
    user = digest_reader("Europe/Zurich", language="en")
    first = waiting(user, utc(2027, 3, 1, 9), 1)
    second = waiting(user, utc(2027, 3, 1, 10), 2)

    assert notifications.digests_send_due(now=utc(2027, 3, 2, 7)) == 1

    [email] = mail.outbox
    assert email.to == [user.email]
    assert email.subject == "You have 2 new reminders in Advocacy"
    assert f"/notifications/{first.pk}/" in email.body
    assert f"/notifications/{second.pk}/" in email.body
    for secret in ("Geneva", "Kenya", "ministry", "states parties"):
        assert secret not in email.subject
        assert secret not in email.body


def test_each_notification_is_in_one_digest_and_read_ones_are_left_out(db):
    user = digest_reader("Europe/Zurich")
    waiting(user, utc(2027, 3, 1, 9), 1)
    read = waiting(user, utc(2027, 3, 1, 9), 2)
    read.read_at = utc(2027, 3, 1, 12)
    read.save()

    notifications.digests_send_due(now=utc(2027, 3, 2, 7))
    notifications.digests_send_due(now=utc(2027, 3, 3, 7))

    assert len(mail.outbox) == 1
    assert f"/notifications/{read.pk}/" not in mail.outbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1


def test_no_digest_without_anything_new(db):
    user = digest_reader("Europe/Zurich")

    assert notifications.digests_send_due(now=utc(2027, 3, 2, 7)) == 0

    assert mail.outbox == []
    user.refresh_from_db()
    assert user.last_digest_on == dt.date(2027, 3, 2)


def test_only_digest_readers_get_one(db):
    waiting(UserFactory(reminder_delivery=User.ReminderDelivery.EMAIL), utc(2027, 3, 1), 1)
    waiting(UserFactory(reminder_delivery=User.ReminderDelivery.IN_APP), utc(2027, 3, 1), 2)
    waiting(digest_reader("Europe/Zurich", is_active=False), utc(2027, 3, 1), 3)

    assert notifications.digests_send_due(now=utc(2027, 3, 2, 9)) == 0
    assert mail.outbox == []


def test_a_digest_the_mail_server_refused_goes_out_on_the_next_run(db):
    user = digest_reader("Europe/Zurich")
    waiting(user, utc(2027, 3, 1))
    others = digest_reader("Europe/Zurich")
    waiting(others, utc(2027, 3, 1), 2)
    real_send = mail.send_mail

    def refuse_first_user(subject, body, sender, recipients):
        if recipients == [user.email]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(subject, body, sender, recipients)

    with mock.patch("advocacy.notifications.send_mail", side_effect=refuse_first_user):
        assert notifications.digests_send_due(now=utc(2027, 3, 2, 7)) == 1

    user.refresh_from_db()
    assert user.last_digest_on is None
    assert notifications.digests_send_due(now=utc(2027, 3, 2, 7, 15)) == 1
    assert [email.to for email in mail.outbox] == [[others.email], [user.email]]


def test_an_unknown_time_zone_counts_as_utc(db):
    user = digest_reader("Mars/Olympus_Mons")
    waiting(user, utc(2027, 3, 1))

    assert notifications.digests_send_due(now=utc(2027, 3, 2, 7, 45)) == 0
    assert notifications.digests_send_due(now=utc(2027, 3, 2, 8)) == 1
