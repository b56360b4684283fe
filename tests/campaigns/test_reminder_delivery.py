"""Delivered once, none lost: real Celery workers on Redis, PostgreSQL and a local SMTP server.

Each test starts its own worker processes (and, for the broker restart, its own Redis server
and beat), makes reminders fall due, and counts exactly one notification and one email per
reminder. The dispatcher runs in the test process unless beat drives it.
"""

import asyncio
import datetime as dt
import re
import signal
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone

from advocacy.models import Notification
from campaigns import reminders
from campaigns.models import Reminder
from tests.campaigns import reminder_world as world
from tests.conftest import SmtpSink, free_port
from tests.factories import UserFactory
from tests.processes import wait_until, worker_fixtures

pytestmark = pytest.mark.integration

NOTIFICATION_LINK = re.compile(r"/notifications/(\d+)/")


class StallingSink(SmtpSink):
    """An SMTP server that can hang on a message, to catch a worker in the middle of one."""

    def __init__(self):
        super().__init__()
        self.stall = False
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.stall:
            self.stalled.set()
            await asyncio.sleep(3600)  # the worker is killed meanwhile; nothing is recorded
        return await super().handle_DATA(server, session, envelope)

    def links(self) -> list[int]:
        return [int(NOTIFICATION_LINK.search(self.body(m)).group(1)) for m in self.messages]


sink, processes, real_broker = worker_fixtures(worker_prefix="reminders", sink_class=StallingSink)


@pytest.fixture
def people(transactional_db):
    return UserFactory.create_batch(4)


def states() -> dict[str, int]:
    found: dict[str, int] = {}
    for state in Reminder.objects.values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


def all_sent(count: int) -> Callable[[], bool]:
    return lambda: Reminder.objects.filter(state=Reminder.State.SENT).count() == count


def assert_one_notification_and_one_email_each(sink: StallingSink) -> None:
    expected = {f"reminder:{pk}" for pk in Reminder.objects.values_list("pk", flat=True)}
    keys = list(Notification.objects.values_list("source_key", flat=True))
    assert sorted(keys) == sorted(expected)
    wait_until(lambda: len(sink.messages) >= len(expected), 15, lambda: str(len(sink.messages)))
    time.sleep(0.5)  # a duplicate would arrive now
    links = sink.links()
    assert sorted(links) == sorted(Notification.objects.values_list("pk", flat=True))


def test_two_dispatchers_at_once_claim_each_reminder_once(
    real_broker, processes, sink, people, settings
):
    processes.worker()
    world.due_reminders(people, 60)  # 240 due at once
    start = threading.Barrier(2)
    claimed: list[list[int]] = []

    def dispatcher() -> None:
        start.wait()
        try:
            claimed.append(reminders.reminders_dispatch(batch_size=10))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    first, second = claimed
    assert first and second, "both dispatchers took part"
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(Reminder.objects.values_list("pk", flat=True))
    wait_until(all_sent(240), 120, lambda: f"{states()}\n{processes.logs()}")
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}
    assert_one_notification_and_one_email_each(sink)


def test_a_worker_killed_mid_delivery_loses_and_doubles_nothing(
    real_broker, processes, sink, people, settings
):
    settings.REMINDERS_REQUEUE_AFTER = 2
    world.due_reminders(people[:1], 5)
    sink.stall = True
    first_worker = processes.worker()

    reminders.reminders_dispatch()
    assert sink.stalled.wait(30), processes.logs()
    # The worker is inside a delivery: its notification is written but not committed.
    assert not Notification.objects.exists()
    processes.stop(first_worker, signal.SIGKILL)
    sink.stall = False

    processes.worker()
    time.sleep(settings.REMINDERS_REQUEUE_AFTER + 0.5)
    reminders.reminders_dispatch()

    wait_until(all_sent(5), 60, lambda: f"{states()}\n{processes.logs()}")
    assert_one_notification_and_one_email_each(sink)


def test_reminders_due_while_no_worker_runs_go_out_when_one_starts(
    real_broker, processes, sink, people
):
    world.due_reminders(people, 3)
    reminders.reminders_dispatch()
    time.sleep(1)
    assert not Notification.objects.exists()
    assert set(states()) == {Reminder.State.QUEUED}

    processes.worker()

    wait_until(all_sent(12), 60, lambda: f"{states()}\n{processes.logs()}")
    assert_one_notification_and_one_email_each(sink)


def test_reminders_due_while_the_broker_was_down_go_out_when_it_returns(
    transactional_db, processes, sink, people
):
    # A Redis of our own, so stopping it disturbs nobody; beat drives the dispatcher.
    port = free_port()
    broker = processes.redis(port)
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "REMINDERS_DISPATCH_INTERVAL": "1",
        "REMINDERS_REQUEUE_AFTER": "3",
    }
    processes.worker(**env)
    processes.beat(**env)
    world.due_reminders(people[:1], 1, key="before")
    wait_until(all_sent(1), 60, processes.logs)

    processes.stop(broker)
    world.due_reminders(people, 2, key="down")
    world.due_reminders(people, 2, key="falls-due", due_at=timezone.now() + dt.timedelta(seconds=2))
    time.sleep(5)
    assert Reminder.objects.filter(state=Reminder.State.SENT).count() == 1
    assert Notification.objects.count() == 1

    processes.redis(port)

    wait_until(all_sent(17), 90, lambda: f"{states()}\n{processes.logs()}")
    assert_one_notification_and_one_email_each(sink)
