"""The demo's letter actions: a past letter day with replies, an open co-signed letter with
its public page, and an FOI request whose answer is due within days, with its reminders."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Reminder
from contacts.models import StanceAssessment
from letters import similarity
from letters.models import Letter, LetterAction

# Seeding twice adds nothing: tests/advocacy/test_seed_demo.py checks it for every app.


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, stdout=StringIO())


@pytest.mark.django_db
def test_a_past_letter_day_drew_replies(seeded):
    action = LetterAction.objects.get(kind=LetterAction.Kind.LETTER_DAY)

    assert action.state == LetterAction.State.SENT
    assert action.deliver_on < timezone.localdate()
    letters = action.letters.all()
    assert letters.count() >= 6
    assert set(letters.values_list("state", flat=True)) == {Letter.State.SENT}
    assert letters.exclude(reply_kind="").count() >= 2
    # An editor's reply that reports a stance is a stance assessment with the letter as evidence.
    assert StanceAssessment.objects.filter(campaign=action.campaign, evidence="letter").exists()
    # Supporters wrote too, and every letter is personal enough to have been submitted.
    assert action.signatories.filter(user=None).exists()
    scores = letters.values_list("similarity", flat=True)
    # Paragraphs are not hard-wrapped: they flow on a phone; only the sign-off keeps its lines.
    for paragraph in action.templates.get().body.split("\n\n")[:-1]:
        assert "\n" not in paragraph
    assert all(score < similarity.NEARLY_IDENTICAL for score in scores), list(scores)


@pytest.mark.django_db
def test_a_cosigned_letter_is_open_on_its_public_page(seeded):
    action = LetterAction.objects.get(kind=LetterAction.Kind.COSIGNED)

    assert action.public_page_live
    assert action.deliver_on > timezone.localdate()
    assert action.signatories.filter(email_confirmed_at__isnull=False).count() >= 3
    assert action.targets.count() >= 4


@pytest.mark.django_db
def test_an_foi_request_is_near_its_deadline_with_reminders(seeded):
    letter = Letter.objects.get(action__kind=LetterAction.Kind.FOI)
    today = timezone.localdate()

    assert today <= letter.foi_deadline <= today + dt.timedelta(days=5)
    assert Reminder.objects.filter(
        kind=Reminder.Kind.FOI_DEADLINE, state=Reminder.State.PENDING
    ).exists()
