"""Each letter arrives once: real Celery workers on Redis, PostgreSQL and a local SMTP server.

Each test starts its own worker processes (and for the broker restart its own Redis server
and beat), makes letters fall due and counts the Message-IDs the SMTP server received:
every letter exactly once, whatever failed on the way.

**The window no test can close.** Between the SMTP server accepting a message and the
commit that marks its letter SENT, a worker killed leaves a letter that went out in
SENDING, and the sweeper sends it again. SMTP shares no transaction with the database, so
no design avoids it; it lasts one UPDATE. The kill test therefore kills the worker at a
moment chosen outside it, deterministically: the SMTP server holds the worker's next
MAIL FROM, before any message data, so every letter before it was accepted *and*
committed, and the held one (with the rest of its chunk) was claimed but not handed over.
The test checks exactly that state before the kill.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from collections.abc import Callable

import pytest
from django.utils import timezone

from letters import delivery, services, tasks
from letters.models import Letter, LetterAction
from tests.conftest import SmtpSink, free_port
from tests.letters import delivery_world as world
from tests.processes import wait_until, worker_fixtures

pytestmark = pytest.mark.integration


sink, processes, real_broker = worker_fixtures(
    worker_prefix=f"letters-{os.getpid()}", drop_unacked=True
)


@pytest.fixture
def action(transactional_db, organisation, coordinator):
    return world.action(organisation, coordinator)


def counts() -> dict[str, int]:
    found: dict[str, int] = {}
    for state in Letter.objects.values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


def sent(count: int) -> Callable[[], bool]:
    return lambda: Letter.objects.filter(state=Letter.State.SENT).count() == count


def assert_each_letter_arrived_once(sink: SmtpSink) -> None:
    expected = set(Letter.objects.values_list("message_id", flat=True))
    assert "" not in expected and len(expected) == Letter.objects.count()
    wait_until(lambda: len(sink.messages) >= len(expected), 15, lambda: str(len(sink.messages)))
    time.sleep(0.5)  # a duplicate would arrive now
    arrived = sink.message_ids()
    assert set(arrived) == expected
    assert set(arrived.values()) == {1}, {mid: n for mid, n in arrived.items() if n > 1}


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    real_broker, processes, sink, action, settings
):
    settings.LETTERS_LEASE = 30
    letters = world.scheduled(action, 120)
    sink.hold_at = 30  # the 30th letter of the first chunk
    first_worker = processes.worker()

    claimed = delivery.letters_dispatch(chunk_size=50)  # chunks of 50, 50 and 20
    assert len(claimed) == 120
    assert sink.held.wait(60), processes.logs()

    # Outside the window: 29 letters accepted and recorded as sent; the 30th and the rest of
    # the chunk claimed (their attempt counted), nothing of them handed over; the other
    # chunks queued.
    assert len(sink.messages) == 29
    assert counts() == {"sent": 29, "sending": 21, "queued": 70}
    held = Letter.objects.filter(state=Letter.State.SENDING)
    assert set(held.values_list("attempts", flat=True)) == {1}
    held = set(held.values_list("pk", flat=True))
    processes.stop(first_worker, signal.SIGKILL)
    sink.release()

    # A new worker takes the two chunks still waiting in Redis...
    second_worker = processes.worker()
    wait_until(sent(99), 120, lambda: f"{counts()}\n{processes.logs()}")
    assert counts() == {"sent": 99, "sending": 21}
    # ...and the first chunk's task died with its worker (unacknowledged in Redis until
    # its visibility timeout, an hour): once the lease is over, the sweeper gives its
    # letters back and the next dispatch sends them.
    later = timezone.now() + dt.timedelta(seconds=settings.LETTERS_LEASE + 1)
    assert set(delivery.letters_dispatch(now=later)) == held
    wait_until(sent(120), 120, lambda: f"{counts()}\n{processes.logs()}")
    assert_each_letter_arrived_once(sink)
    attempts = dict(Letter.objects.values_list("pk", "attempts"))
    assert {attempts[pk] for pk in held} == {2}
    assert {attempts[pk] for pk in attempts.keys() - held} == {1}

    # The lost task delivered at last (after the visibility timeout) sends nothing again.
    late = tasks.letters_send_chunk.delay(claimed[:50])
    wait_until(
        lambda: f"[{late.id}] succeeded" in second_worker.log.read_text(), 60, processes.logs
    )
    assert f"[{late.id}] succeeded in" in second_worker.log.read_text()
    assert len(sink.messages) == 120
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENT
    assert {letter.pk for letter in letters} == set(claimed)


def test_a_broker_restart_while_letters_are_queued_loses_and_doubles_nothing(
    transactional_db, processes, sink, action
):
    # A Redis of our own, so restarting it disturbs nobody; beat drives the dispatcher.
    port = free_port()
    broker = processes.redis(port)
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "LETTERS_DISPATCH_INTERVAL": "1",
        "LETTERS_LEASE": "5",
    }
    processes.worker(**env)
    world.scheduled(action, 250)  # chunks of 100, 100 and 50
    sink.hold_at = 10  # the worker is busy with the first chunk; the others wait in Redis
    processes.beat(**env)
    assert sink.held.wait(60), processes.logs()
    assert counts() == {"sent": 9, "sending": 91, "queued": 150}

    # Redis goes down and comes back empty: the two chunks waiting in it are gone.
    processes.stop(broker, signal.SIGKILL)
    processes.redis(port)
    sink.release()

    # The worker finishes its chunk and reconnects; once the lease is over the sweeper
    # gives the lost chunks back and they go out.
    wait_until(sent(250), 180, lambda: f"{counts()}\n{processes.logs()}")
    assert_each_letter_arrived_once(sink)
    assert set(Letter.objects.values_list("attempts", flat=True)) == {1}


def test_an_smtp_server_that_refuses_for_a_while_loses_and_doubles_nothing(
    real_broker, processes, sink, action, coordinator, client
):
    letters = world.scheduled(action, 30)
    stubborn = letters[0]
    address = stubborn.target.contact_points.get().value
    sink.refuse_recipients = {address: "451 4.2.0 Mailbox busy"}
    sink.refuse = True
    processes.worker(LETTERS_RETRY_AFTER="1", LETTERS_MAX_ATTEMPTS="3")

    delivery.letters_dispatch()
    wait_until(
        lambda: Letter.objects.filter(state=Letter.State.SCHEDULED, attempts=1).count() == 30,
        60,
        lambda: f"{counts()}\n{processes.logs()}",
    )
    assert sink.messages == []
    assert {letter.last_error for letter in Letter.objects.exclude(pk=stubborn.pk)} == {
        "The mail server refused the letter: 451 Try again later"
    }

    sink.refuse = False

    def dispatched_until(condition: Callable[[], bool]) -> Callable[[], bool]:
        # The test is beat: it dispatches what falls due again, a second after each refusal.
        def check() -> bool:
            delivery.letters_dispatch()
            return condition()

        return check

    failed = Letter.objects.filter(state=Letter.State.FAILED)
    wait_until(
        dispatched_until(lambda: sent(29)() and failed.exists()),
        90,
        lambda: f"{counts()}\n{processes.logs()}",
    )
    # Each arrived once, on its second attempt; the stubborn one failed after three.
    assert set(Letter.objects.filter(state="sent").values_list("attempts", flat=True)) == {2}
    stubborn.refresh_from_db()
    assert (stubborn.state, stubborn.attempts) == (Letter.State.FAILED, 3)
    assert "451 4.2.0 Mailbox busy" in stubborn.last_error
    assert services.action_progress(action)["failed"] == 1
    # The coordinator sees it with its error.
    client.force_login(coordinator)
    page = client.get(stubborn.get_absolute_url())
    assert page.status_code == 200
    assert "451 4.2.0 Mailbox busy" in page.content.decode()

    sink.refuse_recipients = {}
    assert services.letter_retry(letter=stubborn, user=coordinator)
    wait_until(dispatched_until(sent(30)), 60, lambda: f"{counts()}\n{processes.logs()}")
    assert_each_letter_arrived_once(sink)
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENT
