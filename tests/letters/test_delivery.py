"""Sending letters in the test process: the dispatcher's claims and chunks, the message the
SMTP server receives, refusals and retries, the sweeper, printed letters, FOI deadlines and
the reply check. Tasks run inline (CELERY_TASK_ALWAYS_EAGER); the worker tests are in
test_delivery_worker.py."""

import datetime as dt
import re
import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.models import Membership
from campaigns.models import Reminder
from letters import delivery, services
from letters.models import ActionTarget, Letter, LetterAction, Signatory
from tests import factories
from tests.letters import delivery_world as world


@pytest.fixture
def action(organisation, coordinator):
    return world.action(organisation, coordinator)


@pytest.fixture
def queued(monkeypatch):
    """The chunks the dispatcher queues, instead of running them."""
    from letters import tasks

    chunks: list[list[int]] = []
    monkeypatch.setattr(tasks.letters_send_chunk, "delay", chunks.append)
    return chunks


def send_due(capture, **options) -> list[int]:
    """Dispatch; the chunk tasks run inline once the claims commit."""
    with capture(execute=True):
        return delivery.letters_dispatch(**options)


def states() -> dict[int, str]:
    return dict(Letter.objects.values_list("pk", "state"))


# The dispatcher ----------------------------------------------------------------------------


def test_the_dispatcher_claims_due_letters_in_chunks(
    action, organisation, coordinator, queued, django_capture_on_commit_callbacks
):
    due = world.scheduled(action, 7)
    later = world.letters(
        action,
        world.targets(action, 1),
        state=Letter.State.SCHEDULED,
        due_at=timezone.now() + dt.timedelta(hours=1),
    )
    closed = world.action(organisation, coordinator, state=LetterAction.State.CLOSED)
    world.letters(
        closed, world.targets(closed, 1), state=Letter.State.SCHEDULED, due_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        claimed = delivery.letters_dispatch(chunk_size=3)

    assert sorted(claimed) == sorted(letter.pk for letter in due)
    assert [len(chunk) for chunk in queued] == [3, 3, 1]
    assert sorted(pk for chunk in queued for pk in chunk) == sorted(claimed)
    assert {states()[pk] for pk in claimed} == {Letter.State.QUEUED}
    assert states()[later[0].pk] == Letter.State.SCHEDULED
    assert Letter.objects.filter(action=closed).get().state == Letter.State.SCHEDULED
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENDING and action.sending_started_at
    # Nothing is due any more.
    assert delivery.letters_dispatch() == []


def test_printed_letters_go_in_smaller_chunks_than_emails(
    organisation, coordinator, queued, django_capture_on_commit_callbacks
):
    emails = world.action(organisation, coordinator)
    world.scheduled(emails, 30)
    printed = world.action(organisation, coordinator, channel="print")
    world.scheduled(printed, delivery.PRINT_CHUNK_SIZE + 5)

    with django_capture_on_commit_callbacks(execute=True):
        delivery.letters_dispatch(chunk_size=100)

    assert sorted(len(chunk) for chunk in queued) == sorted([5, 30, delivery.PRINT_CHUNK_SIZE])


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_skips_letters_another_one_holds(organisation, coordinator, queued):
    action = world.action(organisation, coordinator)
    letters = world.scheduled(action, 5)
    held = [letters[0].pk, letters[1].pk]
    locked, release = threading.Event(), threading.Event()

    def other_dispatcher():
        try:
            with transaction.atomic():
                list(Letter.objects.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    try:
        assert locked.wait(30)
        claimed = delivery.letters_dispatch()
    finally:
        release.set()
        thread.join(30)

    assert sorted(claimed) == sorted(letter.pk for letter in letters[2:])
    assert [states()[pk] for pk in held] == [Letter.State.SCHEDULED] * 2
    assert sorted(queued[0]) == sorted(claimed)


# What the SMTP server receives -------------------------------------------------------------


def test_the_letter_arrives_from_its_writer_to_the_target_and_their_aides(
    action, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Advocacy <letters@advocacy.example.org>"
    letter = world.scheduled(action, 1)[0]
    target = letter.target
    aide = factories.PositionFactory(to_person=target, role="aide").person
    factories.ContactPointFactory(person=aide, value="aide@parliament.example.org")
    former = factories.PositionFactory(
        to_person=target, role="aide", end_date=dt.date(2020, 1, 1)
    ).person
    factories.ContactPointFactory(person=former, value="former@parliament.example.org")
    factories.PositionFactory(to_person=target, role="aide")  # an aide without an address
    # A second, newer address of the target, and an expired one: the first current one wins.
    to = target.contact_points.get().value
    factories.ContactPointFactory(person=target, value="second@parliament.example.org")
    factories.ContactPointFactory(
        person=target, value="old@parliament.example.org", valid_until=dt.date(2020, 1, 1)
    )

    send_due(django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    signatory = letter.signatory
    assert message["To"] == to
    assert message["Cc"] == "aide@parliament.example.org"
    assert message["Reply-To"] == signatory.email
    assert message["From"].addresses[0].display_name == signatory.name
    assert message["From"].addresses[0].addr_spec == "letters@advocacy.example.org"
    assert message["Message-ID"] == f"<letter-{letter.pk}.{action.pk}@advocacy.example.org>"
    assert message["Subject"] == letter.subject
    assert smtp_server.body(message).replace("\r\n", "\n").strip() == letter.body.strip()
    letter.refresh_from_db()
    assert letter.state == Letter.State.SENT and letter.sent_at
    assert letter.message_id == message["Message-ID"]
    assert (letter.to_email, letter.cc) == (to, ["aide@parliament.example.org"])
    assert (letter.attempts, letter.last_error) == (1, "")
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENT and action.sent_at


def test_aides_are_not_copied_when_the_action_says_so(
    action, smtp_server, django_capture_on_commit_callbacks
):
    action.copy_aides = False
    action.save()
    letter = world.scheduled(action, 1)[0]
    aide = factories.PositionFactory(to_person=letter.target, role="aide").person
    factories.ContactPointFactory(person=aide)

    send_due(django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    assert message["Cc"] is None


def test_two_actions_to_one_target_in_one_chunk_copy_aides_each_as_it_says(
    organisation, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    copying = world.action(organisation, coordinator)
    quiet = world.action(organisation, coordinator, copy_aides=False)
    [target] = world.targets(copying, 1)
    factories.ActionTargetFactory(action=quiet, person=target.person)
    aide = factories.PositionFactory(to_person=target.person, role="aide").person
    factories.ContactPointFactory(person=aide, value="aide@parliament.example.org")
    for action in (copying, quiet):
        world.letters(action, [target], state="scheduled", due_at=timezone.now())
        LetterAction.objects.filter(pk=action.pk).update(state="scheduled")

    send_due(django_capture_on_commit_callbacks)

    cc = {message["Message-ID"]: message["Cc"] for message in smtp_server.wait_for(2)}
    letters = {letter.action_id: letter for letter in Letter.objects.all()}
    assert cc[letters[copying.pk].message_id] == "aide@parliament.example.org"
    assert cc[letters[quiet.pk].message_id] is None
    assert letters[quiet.pk].cc == []


def test_a_co_signed_letter_takes_replies_at_the_action_s_address(
    organisation, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    organisation.email = "office@home.example.org"
    organisation.save()
    action = world.action(organisation, coordinator, kind="cosigned", reply_to="sign@example.org")
    action.templates.update(body="Dear {{ target.full_name }},")
    world.targets(action, 1)
    factories.SignatoryFactory(action=action)
    services.action_launch(action=action, user=coordinator)
    Letter.objects.update(due_at=timezone.now())
    LetterAction.objects.filter(pk=action.pk).update(reply_to="")  # the organisation's then

    send_due(django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    assert message["Reply-To"] == "office@home.example.org"
    assert message["From"].addresses[0].display_name == "Home Org"


def test_a_co_signed_email_lists_its_signatories_in_the_letters_language(
    organisation, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    action = world.action(organisation, coordinator, kind="cosigned")
    action.templates.update(body="Dear {{ target.full_name }},\n\nPlease ratify.")
    factories.LetterTemplateFactory(action=action, language="fr", body="Madame, Monsieur,")
    [english, french] = world.targets(action, 2)
    french.person.languages = ["fr"]
    french.person.save()
    factories.SignatoryFactory(
        action=action,
        name="Rev. Margaret Ellis",
        title="Vicar",
        organisation_name="St Mary's Church",
        role="faith_leader",
    )
    factories.SignatoryFactory(action=action, name="Peter Walsh")
    factories.SignatoryFactory(action=action, name="Not Named", consent_named_at=None)
    factories.SignatoryFactory(action=action, name="Not Confirmed", email_confirmed_at=None)
    services.action_launch(action=action, user=coordinator)
    Letter.objects.update(due_at=timezone.now())

    send_due(django_capture_on_commit_callbacks)

    bodies = {
        message["To"]: smtp_server.body(message).replace("\r\n", "\n")
        for message in smtp_server.wait_for(2)
    }
    body = bodies[english.person.contact_points.get().value]
    assert body == (
        f"Dear {english.person.name},\n\nPlease ratify.\n\n"
        "Signed by 2 people\n"
        "Peter Walsh – Constituent\n"
        "Rev. Margaret Ellis – Vicar, St Mary's Church – Faith leader\n"
        "And 1 more person who supports this letter without being named.\n"
    )
    french_body = bodies[french.person.contact_points.get().value]
    assert french_body.startswith("Madame, Monsieur,\n\nSignée par 2 personnes\n")
    # The letter made at launch is in the language its target reads.
    assert Letter.objects.get(target=french.person).language == "fr"
    # The letter kept is the letter's own text; the signatures go with the email.
    assert "Peter Walsh" not in Letter.objects.get(target=english.person).body


def test_a_target_without_an_email_address_fails_with_a_clear_error(
    action, smtp_server, django_capture_on_commit_callbacks
):
    reachable = world.scheduled(action, 2)
    [unreachable] = world.letters(
        action,
        world.targets(action, 1, email=False),
        state=Letter.State.SCHEDULED,
        due_at=timezone.now(),
    )

    send_due(django_capture_on_commit_callbacks)

    assert len(smtp_server.wait_for(2)) == 2
    unreachable.refresh_from_db()
    assert unreachable.state == Letter.State.FAILED
    assert unreachable.last_error == (
        f"{unreachable.target.name} has no current email address in the directory."
    )
    assert {states()[letter.pk] for letter in reachable} == {Letter.State.SENT}
    progress = services.action_progress(action)
    assert (progress["sent"], progress["failed"], progress["done"]) == (2, 1, True)


# Refusals and retries ----------------------------------------------------------------------


def test_a_refused_letter_waits_longer_each_time_then_fails_and_is_retried(
    action, coordinator, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.LETTERS_MAX_ATTEMPTS = 3
    settings.LETTERS_RETRY_AFTER = 60
    letter = world.scheduled(action, 1)[0]
    smtp_server.refuse = True

    started = timezone.now()
    send_due(django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    assert (letter.state, letter.attempts) == (Letter.State.SCHEDULED, 1)
    assert letter.last_error == "The mail server refused the letter: 451 Try again later"
    assert (
        started + dt.timedelta(seconds=60)
        <= letter.due_at
        <= timezone.now() + dt.timedelta(seconds=60)
    )
    # Not due again yet.
    assert send_due(django_capture_on_commit_callbacks) == []

    send_due(django_capture_on_commit_callbacks, now=letter.due_at)
    letter.refresh_from_db()
    assert (letter.state, letter.attempts) == (Letter.State.SCHEDULED, 2)
    assert letter.due_at >= timezone.now() + dt.timedelta(seconds=110)  # twice as long

    send_due(django_capture_on_commit_callbacks, now=letter.due_at)
    letter.refresh_from_db()
    assert (letter.state, letter.attempts) == (Letter.State.FAILED, 3)
    assert "451" in letter.last_error
    assert smtp_server.messages == []

    smtp_server.refuse = False
    assert services.letter_retry(letter=letter, user=coordinator)
    send_due(django_capture_on_commit_callbacks)

    [message] = smtp_server.wait_for(1)
    letter.refresh_from_db()
    assert (letter.state, letter.attempts, letter.last_error) == (Letter.State.SENT, 1, "")
    assert message["Message-ID"] == letter.message_id


def test_a_permanent_refusal_fails_at_once(action, smtp_server, django_capture_on_commit_callbacks):
    letters = world.scheduled(action, 2)
    smtp_server.refuse_recipients = {
        letters[0].target.contact_points.get().value: "550 No such user"
    }

    send_due(django_capture_on_commit_callbacks)

    smtp_server.wait_for(1)
    letters[0].refresh_from_db()
    assert letters[0].state == Letter.State.FAILED
    assert letters[0].attempts == 1
    assert "550 No such user" in letters[0].last_error
    assert states()[letters[1].pk] == Letter.State.SENT


def test_a_refused_login_fails_no_letter_and_is_tried_once_per_chunk(
    action, smtp_server, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    from django.core.mail.backends.smtp import EmailBackend

    logins = []

    def refuse(backend):
        logins.append(backend)
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed")

    monkeypatch.setattr(EmailBackend, "open", refuse)
    letters = world.scheduled(action, 3)

    send_due(django_capture_on_commit_callbacks)

    assert len(logins) == 1
    for letter in letters:
        letter.refresh_from_db()
        assert letter.state == Letter.State.SCHEDULED
        assert letter.attempts == 1
        assert "535" in letter.last_error
    assert smtp_server.messages == []


def test_letters_wait_when_the_mail_server_cannot_be_reached(
    action, settings, django_capture_on_commit_callbacks
):
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    letters = world.scheduled(action, 3)

    send_due(django_capture_on_commit_callbacks)

    for letter in letters:
        letter.refresh_from_db()
        assert (letter.state, letter.attempts) == (Letter.State.SCHEDULED, 1)
        assert letter.last_error.startswith("The mail server could not be reached")
        assert letter.due_at > timezone.now()


# Each letter once --------------------------------------------------------------------------


def test_a_chunk_delivered_twice_sends_each_letter_once(
    action, smtp_server, queued, django_capture_on_commit_callbacks
):
    letters = world.scheduled(action, 3)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.letters_dispatch()
    [chunk] = queued

    assert len(delivery.letters_send_chunk(letter_ids=chunk)) == 3
    assert delivery.letters_send_chunk(letter_ids=chunk) == []

    assert len(smtp_server.messages) == 3
    assert set(smtp_server.message_ids().values()) == {1}
    assert {states()[letter.pk] for letter in letters} == {Letter.State.SENT}


def test_a_letter_another_task_claimed_is_left_to_it(
    action, smtp_server, queued, django_capture_on_commit_callbacks
):
    letters = world.scheduled(action, 2)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.letters_dispatch()
    Letter.objects.filter(pk=letters[0].pk).update(state=Letter.State.SENDING)

    assert delivery.letters_send_chunk(letter_ids=queued[0]) == [letters[1].pk]
    assert states()[letters[0].pk] == Letter.State.SENDING


def test_the_sweeper_gives_back_letters_whose_task_was_lost(action, settings):
    settings.LETTERS_LEASE = 300
    settings.LETTERS_MAX_ATTEMPTS = 3
    now = timezone.now()
    long_ago = now - dt.timedelta(seconds=301)
    to = world.targets(action, 4)
    lost_queued, lost_sending, given_up, fresh = (
        world.letters(action, [target], state=state, claimed_at=claimed_at, attempts=attempts)[0]
        for target, state, claimed_at, attempts in zip(
            to,
            ["queued", "sending", "sending", "sending"],
            [long_ago, long_ago, long_ago, now - dt.timedelta(seconds=10)],
            [0, 1, 3, 1],
            strict=True,
        )
    )

    assert delivery.letters_sweep(now=now) == 3

    current = states()
    assert current[lost_queued.pk] == current[lost_sending.pk] == Letter.State.SCHEDULED
    assert current[given_up.pk] == Letter.State.FAILED
    assert current[fresh.pk] == Letter.State.SENDING
    lost_sending.refresh_from_db()
    assert lost_sending.attempts == 1  # counted when it was claimed
    assert "worker stopped" in lost_sending.last_error
    given_up.refresh_from_db()
    assert "3 times" in given_up.last_error


def test_a_letter_the_sweeper_took_back_while_it_went_is_recorded_as_sent(
    action, smtp_server, queued, django_capture_on_commit_callbacks
):
    """A lease shorter than a send: the letter went, so it is sent, and not sent again."""
    letter = world.scheduled(action, 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        delivery.letters_dispatch()
    original = delivery._mark_sent

    def swept_meanwhile(letter, **kwargs):
        Letter.objects.filter(pk=letter.pk).update(state=Letter.State.SCHEDULED)
        original(letter, **kwargs)

    delivery._mark_sent = swept_meanwhile
    try:
        delivery.letters_send_chunk(letter_ids=queued[0])
    finally:
        delivery._mark_sent = original

    assert states()[letter.pk] == Letter.State.SENT
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.letters_dispatch() == []


def test_sending_costs_a_few_queries_per_letter(
    organisation, coordinator, smtp_server, queued, django_capture_on_commit_callbacks
):
    def queries_to_send(count: int) -> int:
        action = world.action(organisation, coordinator)
        world.scheduled(action, count)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.letters_dispatch()
        with CaptureQueriesContext(connection) as captured:
            delivery.letters_send_chunk(letter_ids=queued.pop())
        return len(captured)

    five, fifteen = queries_to_send(5), queries_to_send(15)

    assert fifteen - five == 10  # one UPDATE a letter: it was sent
    assert five <= 5 + 10


# Printed letters ---------------------------------------------------------------------------


@pytest.fixture
def fake_pdf(monkeypatch, settings, tmp_path):
    """letters.pdfs.targets_letters_pdfs, recording the states of the letters it saw."""
    settings.MEDIA_ROOT = str(tmp_path)
    seen: list[dict] = []

    def render(target):
        seen.append(
            dict(
                Letter.objects.filter(action=target.action_id, target=target.person_id).values_list(
                    "pk", "state"
                )
            )
        )
        if target.person.name == "Broken Printer":
            raise ValueError("the template is broken")
        return b"%PDF-1.4 letters to " + target.person.name.encode()

    monkeypatch.setattr(
        "letters.pdfs.targets_letters_pdfs",
        lambda targets: {target.pk: render(target) for target in targets},
    )
    return seen


def test_printed_letters_become_one_pdf_per_target(
    organisation, coordinator, fake_pdf, django_capture_on_commit_callbacks
):
    action = world.action(organisation, coordinator, channel="print")
    to = world.targets(action, 2)
    first = world.letters(action, to[:1], state="scheduled", due_at=timezone.now())
    second = world.letters(action, to[1:] * 2, state="scheduled", due_at=timezone.now())
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.SCHEDULED)

    send_due(django_capture_on_commit_callbacks)

    assert len(fake_pdf) == 2
    # The letters are printed in the same transaction as the file is made.
    assert set(fake_pdf[1].values()) == {Letter.State.PRINTED}
    for target in to:
        target.refresh_from_db()
        assert target.pdf.read() == b"%PDF-1.4 letters to " + target.person.name.encode()
        assert target.pdf.name.endswith(".pdf")
    assert {states()[letter.pk] for letter in first + second} == {Letter.State.PRINTED}
    assert mail.outbox == []
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENT


def test_a_pdf_that_cannot_be_made_is_tried_again(
    organisation, coordinator, fake_pdf, django_capture_on_commit_callbacks
):
    action = world.action(organisation, coordinator, channel="hand")
    [target] = world.targets(action, 1)
    target.person.name = "Broken Printer"
    target.person.save()
    [letter] = world.letters(action, [target], state="scheduled", due_at=timezone.now())
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.SCHEDULED)

    send_due(django_capture_on_commit_callbacks)

    letter.refresh_from_db()
    assert (letter.state, letter.attempts) == (Letter.State.SCHEDULED, 1)
    assert letter.last_error == "The letters could not be printed: the template is broken"
    assert not ActionTarget.objects.get(pk=target.pk).pdf


# FOI requests ------------------------------------------------------------------------------


@pytest.fixture
def foi_action(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="foi")
    action.foi_country = factories.CountryFactory(code="KE")  # 21 calendar days
    action.save()
    return action


def test_an_foi_request_sent_gets_its_deadline_and_reminders(
    foi_action, organisation, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    other_coordinator = factories.MembershipFactory(
        organisation=organisation, role=Membership.Role.COORDINATOR
    ).user
    letter = world.scheduled(foi_action, 1, time_zone="Pacific/Kiritimati")[0]  # UTC+14

    send_due(django_capture_on_commit_callbacks)

    letter.refresh_from_db()
    sent_on = timezone.localtime(letter.sent_at, dt.timezone(dt.timedelta(hours=14))).date()
    assert letter.foi_deadline == sent_on + dt.timedelta(days=21)
    reminders = Reminder.objects.filter(kind=Reminder.Kind.FOI_DEADLINE)
    creator = foi_action.created_by
    assert {(r.recipient, r.source_key) for r in reminders} == {
        (user, key)
        for user in (creator, coordinator, other_coordinator)
        for key in services.foi_reminder_keys(letter)
    }
    due = reminders.get(recipient=coordinator, source_key=f"letter:{letter.pk}:foi:due")
    assert due.url == letter.get_absolute_url()
    assert (
        str(letter.foi_deadline)
        in reminders.get(recipient=coordinator, source_key=f"letter:{letter.pk}:foi:before").title
    )

    # The creator is a coordinator too: two people, two reminders each.
    assert services.foi_reminders_cancel(letter=letter) == 4
    assert set(reminders.values_list("state", flat=True)) == {Reminder.State.CANCELLED}


def test_unanswered_requests_past_their_deadline_are_marked_no_answer(foi_action):
    to = world.targets(foi_action, 3)
    today = timezone.now().date()
    late, answered, open_ = (
        world.letters(foi_action, [target], state="sent", sent_at=timezone.now(), **fields)[0]
        for target, fields in zip(
            to,
            [
                {"foi_deadline": today - dt.timedelta(days=1)},
                {"foi_deadline": today - dt.timedelta(days=1), "reply_kind": "answer"},
                {"foi_deadline": today},
            ],
            strict=True,
        )
    )

    assert delivery.foi_daily() == 1

    kinds = dict(Letter.objects.values_list("pk", "reply_kind"))
    assert kinds == {late.pk: "no_answer", answered.pk: "answer", open_.pk: ""}
    late.refresh_from_db()
    assert late.reply_logged_at and late.reply_logged_by is None
    # The request still open has its reminders (made again if a worker stopped too early).
    assert Reminder.objects.filter(source_key__startswith=f"letter:{open_.pk}:foi").exists()
    assert not Reminder.objects.filter(source_key__startswith=f"letter:{late.pk}:").exists()


# Did a reply come? -------------------------------------------------------------------------


def test_writers_are_asked_about_a_reply_two_weeks_after_sending(action, campaigner, smtp_server):
    now = timezone.now()
    two_weeks_ago = now - dt.timedelta(days=14, minutes=1)
    to = world.targets(action, 5)
    user_signatory = factories.SignatoryFactory(
        action=action, user=campaigner, email=campaigner.email, name="Cam Paigner"
    )
    supporter = factories.SignatoryFactory(action=action, consent_contact_at=now, language="fr")
    supporter.renew_nonce()
    supporter.save()
    silent = factories.SignatoryFactory(action=action, consent_contact_at=None)
    by_user = world.letters(action, to[:1], signatory=user_signatory, state="sent")[0]
    by_supporter = world.letters(action, to[1:2], signatory=supporter, state="sent")[0]
    by_silent = world.letters(action, to[2:3], signatory=silent, state="sent")[0]
    too_recent = world.letters(action, to[3:4], signatory=user_signatory, state="sent")[0]
    answered = world.letters(
        action, to[4:5], signatory=user_signatory, state="sent", reply_kind="answer"
    )[0]
    Letter.objects.update(sent_at=two_weeks_ago)
    Letter.objects.filter(pk=too_recent.pk).update(sent_at=now - dt.timedelta(days=13))

    assert delivery.letters_reply_check(now=now) == 2
    assert delivery.letters_reply_check(now=now) == 0  # once

    reminder = Reminder.objects.get()
    assert reminder.recipient == campaigner
    assert reminder.kind == Reminder.Kind.LETTER_ACTION
    assert reminder.source_key == services.reply_check_key(by_user)
    assert reminder.url == by_user.get_absolute_url()
    assert by_user.target.name in reminder.title
    [message] = smtp_server.wait_for(1)
    assert message["To"] == supporter.email
    link = re.search(
        r"http\S+/letters/supporter/([^/]+)/letters/(\d+)/reply/", smtp_server.body(message)
    )
    assert link, smtp_server.body(message)
    assert Signatory.from_token(link.group(1)) == supporter
    assert int(link.group(2)) == by_supporter.pk
    assert action.title in message["Subject"]
    stamped = dict(Letter.objects.values_list("pk", "reply_check_sent_at"))
    assert stamped[by_user.pk] == stamped[by_supporter.pk] == now
    assert stamped[by_silent.pk] is stamped[too_recent.pk] is stamped[answered.pk] is None
    # Logging a reply cancels the question if it is still waiting.
    assert services.foi_reminders_cancel(letter=by_user) in (0, 1)


def test_a_reply_check_email_that_fails_is_asked_again_next_time(action, settings):
    from tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    now = timezone.now()
    supporter = factories.SignatoryFactory(action=action, consent_contact_at=now)
    letter = world.letters(action, world.targets(action, 1), signatory=supporter, state="sent")[0]
    Letter.objects.update(sent_at=now - dt.timedelta(days=15))

    assert delivery.letters_reply_check(now=now) == 0

    letter.refresh_from_db()
    assert letter.reply_check_sent_at is None


def test_the_tasks_beat_runs_do_the_work(action, smtp_server, django_capture_on_commit_callbacks):
    from letters import tasks

    world.scheduled(action, 2)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.letters_dispatch.delay().get() == 2

    assert len(smtp_server.wait_for(2)) == 2
    assert tasks.letters_reply_check.delay().get() == 0
    assert tasks.letters_foi_daily.delay().get() == 0
