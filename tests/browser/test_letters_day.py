"""On the day: a coordinator launches a letter day in the browser, beat and a real worker
send the letters through Redis to a local SMTP server, the progress bar follows them to the
end, and each letter arrives exactly once, To its target, Cc their aide, Reply-To its writer.
"""

import datetime as dt
import os
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.zones import zone
from letters.models import Letter, LetterAction
from tests import factories
from tests.letters import delivery_world as world
from tests.processes import worker_fixtures

pytestmark = pytest.mark.integration

# The SMTP server, processes (worker, beat) and broker, as the letters' delivery tests have them.
sink, processes, real_broker = worker_fixtures(
    worker_prefix=f"letters-{os.getpid()}", drop_unacked=True
)


@pytest.fixture
def letter_day(organisation, coordinator):
    """A letter day to three committee members, due today at midnight in Nairobi (so as soon
    as it is launched), with a letter from a different supporter to each; the first target
    has an aide with an address. Today as Nairobi counts it: from 21:00 UTC it is tomorrow
    there, and a day already over there cannot be launched."""
    action = world.action(
        organisation,
        coordinator,
        title="Treaty day letters",
        deliver_on=timezone.localdate(timezone.now(), zone("Africa/Nairobi")),
        deliver_at=dt.time(0, 0),
        time_zone="Africa/Nairobi",
        zone_policy=LetterAction.ZonePolicy.FIXED,
    )
    targets = world.targets(action, 3)
    aide = factories.PersonFactory(name="Wanjiku Aide")
    factories.PositionFactory(
        person=aide,
        institution=factories.InstitutionFactory(kind="parliament"),
        role="aide",
        to_person=targets[0].person,
    )
    factories.ContactPointFactory(person=aide, value="aide@parliament.example.org")
    world.letters(action, targets)
    return action


def test_on_the_day_the_letters_arrive_exactly_once(
    real_broker, processes, sink, page: Page, sign_in, coordinator, letter_day
):
    env = {"LETTERS_DISPATCH_INTERVAL": "1"}
    processes.worker(**env)
    processes.beat(**env)
    sign_in(page.context, coordinator)
    page.goto(letter_day.get_absolute_url())

    page.get_by_role("link", name="Launch").click()
    page.get_by_role("button", name="Launch").click()  # the confirming page
    expect(page.get_by_role("status")).to_contain_text("Launched: 3 letters scheduled")

    # The bar follows the letters as beat hands them to the worker, without reloading.
    progress = page.get_by_role("region", name="Progress")
    expect(progress.get_by_role("progressbar", name="3 of 3 letters done (100%)")).to_be_visible(
        timeout=60_000
    )
    expect(progress).to_contain_text("The action is: Sent", timeout=10_000)

    letters = list(Letter.objects.select_related("signatory", "target").order_by("pk"))
    assert {letter.state for letter in letters} == {Letter.State.SENT}
    sink.wait_for(3)
    # Beat keeps dispatching every second; a letter sent twice would arrive by now.
    time.sleep(3)
    arrived = sink.message_ids()
    assert set(arrived) == {letter.message_id for letter in letters}
    assert set(arrived.values()) == {1}
    by_id = {message["Message-ID"]: message for message in sink.messages}
    for letter in letters:
        message = by_id[letter.message_id]
        assert message["To"] == letter.to_email
        assert letter.signatory.email in message["Reply-To"]
        assert letter.subject == message["Subject"]
    assert "aide@parliament.example.org" in by_id[letters[0].message_id]["Cc"]
