"""The life of a letter action: opening, launching (with every check), due times in each
target's zone, taking back, closing, late letters, retries, progress, printed letters."""

import datetime as dt

import pytest
from django.utils import timezone

from advocacy.models import AuditEvent
from campaigns.models import Reminder
from letters import services
from letters.models import ActionTarget, Letter, LetterAction
from letters.services import LaunchError
from tests import factories
from tests.letters import delivery_world as world

UTC = dt.UTC


@pytest.fixture
def action(organisation, coordinator):
    return world.action(organisation, coordinator)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# Opening -----------------------------------------------------------------------------------


def test_a_draft_with_a_good_template_opens(action, coordinator):
    LetterAction.objects.filter(pk=action.pk).update(state="draft")
    action.refresh_from_db()

    services.action_open(action=action, user=coordinator)

    action.refresh_from_db()
    assert action.state == LetterAction.State.OPEN
    assert AuditEvent.objects.filter(target_id=str(action.pk), detail__state="open").exists()


def test_a_draft_with_a_misspelt_field_does_not_open(action, coordinator):
    LetterAction.objects.filter(pk=action.pk).update(state="draft")
    action.refresh_from_db()
    action.templates.update(body="Dear {{ target.ful_name }},\n{{ nonsense }}")

    with pytest.raises(LaunchError) as raised:
        services.action_open(action=action, user=coordinator)

    assert len(raised.value.messages) == 2
    assert "target.full_name" in raised.value.messages[0]  # the suggestion
    action.refresh_from_db()
    assert action.state == LetterAction.State.DRAFT


def test_a_co_signed_letter_cannot_use_one_signatory_s_fields(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="cosigned", state="draft")

    with pytest.raises(LaunchError) as raised:
        services.action_open(action=action, user=coordinator)

    assert "co-signed" in " ".join(raised.value.messages)


# Launch checks -----------------------------------------------------------------------------


def test_launch_lists_every_problem_at_once(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="cosigned", deliver_on=None)
    action.templates.all().delete()

    with pytest.raises(LaunchError) as raised:
        services.action_launch(action=action, user=coordinator)

    text = " ".join(raised.value.messages)
    assert len(raised.value.messages) == 4
    assert "delivery date" in text
    assert "no template" in text
    assert "no targets" in text
    assert "confirmed signatory" in text
    action.refresh_from_db()
    assert action.state == LetterAction.State.OPEN


def test_a_delivery_date_in_the_past_is_refused(action, coordinator):
    world.letters(action, world.targets(action, 1))
    action.deliver_on = timezone.localdate() - dt.timedelta(days=2)
    action.save()

    with pytest.raises(LaunchError, match="has passed"):
        services.action_launch(action=action, user=coordinator)


def test_today_is_not_past_while_it_is_still_today_in_a_target_s_zone(action, coordinator):
    # 03:00 UTC on the 16th is still the 15th in New York: the 15th can be launched.
    world.targets(action, 1, time_zone="America/New_York")
    action.deliver_on = dt.date(2031, 1, 15)
    action.save()

    assert services.launch_problems(action, now=utc(2031, 1, 16, 3)) == []
    assert "has passed" in " ".join(services.launch_problems(action, now=utc(2031, 1, 16, 6)))


def test_a_co_signed_letter_with_only_unconfirmed_signatures_is_not_launched(
    organisation, coordinator
):
    action = world.action(organisation, coordinator, kind="cosigned")
    action.templates.update(body="Dear {{ target.full_name }}, we the undersigned ask you.")
    world.targets(action, 2)
    factories.SignatoryFactory(action=action, email_confirmed_at=None)

    assert services.launch_problems(action) == [
        "Nobody has signed yet: a co-signed letter needs a confirmed signatory."
    ]


def test_an_foi_request_needs_a_law_or_its_own_deadline(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="foi")
    world.targets(action, 1)
    assert "deadline is not known" in " ".join(services.launch_problems(action))

    action.foi_country = factories.CountryFactory(code="KE")
    assert services.launch_problems(action) == []
    action.foi_country = None
    action.foi_deadline_days = 10
    assert services.launch_problems(action) == []


# Due times ---------------------------------------------------------------------------------


def test_letters_arrive_at_nine_in_each_target_s_own_zone(action, coordinator):
    nairobi = world.targets(action, 2, time_zone="Africa/Nairobi")
    new_york = world.targets(action, 1, time_zone="America/New_York")
    written = world.letters(action, nairobi + new_york)

    assert services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1)) == 3

    due = {letter.pk: letter.due_at for letter in Letter.objects.filter(action=action)}
    # 16 January 2031: Nairobi is UTC+3, New York on standard time UTC-5.
    assert due[written[0].pk] == due[written[1].pk] == utc(2031, 1, 16, 6)
    assert due[written[2].pk] == utc(2031, 1, 16, 14)
    action.refresh_from_db()
    assert action.state == LetterAction.State.SCHEDULED
    assert action.launched_by == coordinator
    assert set(Letter.objects.values_list("state", flat=True)) == {Letter.State.SCHEDULED}


def test_new_york_in_summer_is_an_hour_earlier_in_utc(action, coordinator):
    action.deliver_on = world.SUMMER_DAY
    action.save()
    written = world.letters(action, world.targets(action, 1, time_zone="America/New_York"))

    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))

    written[0].refresh_from_db()
    assert written[0].due_at == utc(2031, 7, 17, 13)  # daylight time, UTC-4


def test_a_fixed_zone_sends_every_letter_at_the_same_moment(action, coordinator):
    action.zone_policy = LetterAction.ZonePolicy.FIXED
    action.time_zone = "Europe/Paris"
    action.deliver_at = dt.time(10, 30)
    action.save()
    world.letters(
        action,
        world.targets(action, 1, time_zone="Africa/Nairobi")
        + world.targets(action, 1, time_zone="America/New_York"),
    )

    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))

    assert set(Letter.objects.values_list("due_at", flat=True)) == {utc(2031, 1, 16, 9, 30)}


def test_a_time_the_clocks_skip_moves_forward():
    action = LetterAction(
        deliver_on=dt.date(2031, 3, 9), deliver_at=dt.time(2, 30), zone_policy="target"
    )
    # 02:30 does not exist in New York that night; it reads as 03:30 daylight time.
    assert services.due_at(action, "America/New_York") == utc(2031, 3, 9, 7, 30)
    # An unknown zone reads as UTC.
    assert services.due_at(action, "Mars/Olympus") == utc(2031, 3, 9, 2, 30)


def test_a_due_time_already_past_means_as_soon_as_possible(action, coordinator):
    action.deliver_on = dt.date(2031, 1, 15)
    action.save()
    nairobi = world.letters(action, world.targets(action, 1, time_zone="Africa/Nairobi"))
    new_york = world.letters(action, world.targets(action, 1, time_zone="America/New_York"))
    now = utc(2031, 1, 15, 10)  # 13:00 in Nairobi, 05:00 in New York

    services.action_launch(action=action, user=coordinator, now=now)

    nairobi[0].refresh_from_db()
    new_york[0].refresh_from_db()
    assert nairobi[0].due_at == now
    assert new_york[0].due_at == utc(2031, 1, 15, 14)


def test_what_launching_would_do_with_a_time_past_in_some_zones(action, coordinator):
    action.deliver_on = dt.date(2031, 1, 15)
    action.save()
    nairobi = world.targets(action, 2, time_zone="Africa/Nairobi")
    new_york = world.targets(action, 1, time_zone="America/New_York")
    world.letters(action, nairobi[:1])
    world.letters(action, new_york, state=Letter.State.SUBMITTED)
    now = utc(2031, 1, 15, 10)  # 13:00 in Nairobi (past nine), 05:00 in New York

    preview = services.launch_preview(action, now=now)

    assert preview == {"scheduled": 1, "targets": 3, "unwritten": 1, "waiting": 1, "late": 2}
    assert services.delivery_passed(action, now=now) is False
    assert services.delivery_passed(action, now=utc(2031, 1, 15, 14)) is True
    # Launching does what the preview said.
    assert services.action_launch(action=action, user=coordinator, now=now) == 1
    assert services.target_counts(action) == {"targets": 3, "unwritten": 1}


def test_what_launching_a_cosigned_letter_would_do(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="cosigned")
    world.targets(action, 3)
    factories.SignatoryFactory(action=action)
    factories.SignatoryFactory(action=action, email_confirmed_at=None)

    preview = services.launch_preview(action, now=utc(2031, 1, 1))

    # One co-signed letter to each target, made at launch: nobody is left without.
    assert preview == {"scheduled": 3, "targets": 3, "unwritten": 0, "waiting": 0, "late": 0}
    assert services.signatory_counts(action) == {"confirmed": 1, "unconfirmed": 1}


def test_letters_waiting_for_approval_are_not_scheduled_until_approved(action, coordinator):
    action.requires_approval = True
    action.save()
    to = world.targets(action, 2)
    ready = world.letters(action, to[:1])[0]
    waiting = world.letters(action, to[1:], state=Letter.State.SUBMITTED)[0]

    assert services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1)) == 1

    waiting.refresh_from_db()
    assert waiting.state == Letter.State.SUBMITTED and waiting.due_at is None
    # Approved later (the coordination code sets READY, then schedules).
    Letter.objects.filter(pk=waiting.pk).update(state=Letter.State.READY)
    assert services.letter_schedule(letter=waiting, now=utc(2031, 1, 2)) is True
    assert waiting.state == Letter.State.SCHEDULED
    ready.refresh_from_db()
    assert waiting.due_at == ready.due_at == utc(2031, 1, 16, 6)


def test_a_letter_ready_before_launch_waits_for_it(action):
    letter = world.letters(action, world.targets(action, 1))[0]

    assert services.letter_schedule(letter=letter) is False

    letter.refresh_from_db()
    assert letter.state == Letter.State.READY


def test_a_letter_ready_after_everything_went_goes_at_once(action, coordinator):
    letter = world.letters(action, world.targets(action, 1))[0]
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.SENT)
    now = utc(2031, 2, 1)

    assert services.letter_schedule(letter=letter, now=now) is True

    assert letter.due_at == now
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENDING


# Co-signed letters and FOI requests are made at launch -------------------------------------


def test_launch_makes_one_co_signed_letter_per_target(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="cosigned")
    action.templates.update(
        subject="To {{ target.full_name }}",
        body="Dear {{ target.honorific }} {{ target.family_name }},",
    )
    to = world.targets(action, 3)
    factories.SignatoryFactory.create_batch(2, action=action)

    assert services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1)) == 3

    letters = Letter.objects.filter(action=action).order_by("pk")
    assert [letter.signatory for letter in letters] == [None, None, None]
    assert {letter.target for letter in letters} == {target.person for target in to}
    first = letters.get(target=to[0].person)
    assert first.subject == f"To {to[0].person.name}"
    assert first.body == f"Dear Hon. {to[0].person.family_name},"
    assert first.created_by == coordinator


def test_taking_back_and_launching_again_makes_each_co_signed_letter_once(
    organisation, coordinator
):
    action = world.action(organisation, coordinator, kind="cosigned")
    action.templates.update(body="Dear {{ target.full_name }},")
    world.targets(action, 2)
    factories.SignatoryFactory(action=action)
    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))

    services.action_unschedule(action=action, user=coordinator)
    assert not Letter.objects.filter(action=action).exists()
    action.templates.update(body="Dear {{ target.full_name }}, again")
    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))

    assert Letter.objects.filter(action=action).count() == 2
    assert set(Letter.objects.values_list("body", flat=True)) == {
        f"Dear {name}, again" for name in action.targets.values_list("person__name", flat=True)
    }


def test_an_foi_request_goes_from_the_organisation_to_targets_nobody_wrote_to(
    organisation, coordinator
):
    action = world.action(organisation, coordinator, kind="foi", reply_to="foi@home.example.org")
    action.foi_country = factories.CountryFactory(code="KE")
    action.save()
    action.templates.update(body="To {{ target.full_name }}\n\nRequested by {{ signatory.name }}")
    to = world.targets(action, 3)
    own = world.letters(action, to[:1])[0]

    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))

    made = Letter.objects.filter(action=action, signatory=None)
    assert {letter.target_id for letter in made} == {to[1].person_id, to[2].person_id}
    assert made.first().body.endswith(f"Requested by {organisation.name}")
    assert Letter.objects.filter(action=action, state="scheduled").count() == 3
    own.refresh_from_db()
    assert own.state == Letter.State.SCHEDULED


# Taking back and closing -------------------------------------------------------------------


def test_a_scheduled_action_goes_back_to_open(action, coordinator):
    written = world.letters(action, world.targets(action, 2))
    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))

    assert services.action_unschedule(action=action, user=coordinator) == 2

    action.refresh_from_db()
    assert action.state == LetterAction.State.OPEN
    assert action.launched_at is None
    for letter in written:
        letter.refresh_from_db()
        assert (letter.state, letter.due_at) == (Letter.State.READY, None)


def test_an_action_cannot_go_back_once_a_letter_went(action, coordinator):
    written = world.letters(action, world.targets(action, 2))
    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))
    Letter.objects.filter(pk=written[0].pk).update(state=Letter.State.SENT)

    with pytest.raises(LaunchError, match="gone out"):
        services.action_unschedule(action=action, user=coordinator)

    action.refresh_from_db()
    assert action.state == LetterAction.State.SCHEDULED


def test_closing_keeps_unsent_letters_from_going(action, coordinator):
    written = world.letters(action, world.targets(action, 2))
    services.action_launch(action=action, user=coordinator, now=utc(2031, 1, 1))
    Letter.objects.filter(pk=written[0].pk).update(state=Letter.State.SENT)

    services.action_close(action=action, user=coordinator)

    action.refresh_from_db()
    assert action.state == LetterAction.State.CLOSED and action.closed_at
    states = dict(Letter.objects.values_list("pk", "state"))
    assert states == {written[0].pk: Letter.State.SENT, written[1].pk: Letter.State.READY}


# Retries -----------------------------------------------------------------------------------


def test_a_failed_letter_is_retried_at_once(action, coordinator):
    written = world.letters(
        action,
        world.targets(action, 2),
        state=Letter.State.FAILED,
        attempts=5,
        last_error="The mail server refused the letter: 451 Try again later",
    )
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.SENT)

    assert services.letter_retry(letter=written[0], user=coordinator) is True
    assert services.letter_retry(letter=written[0], user=coordinator) is False

    written[0].refresh_from_db()
    assert written[0].state == Letter.State.SCHEDULED
    assert written[0].attempts == 0
    assert written[0].due_at <= timezone.now()
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENDING
    assert services.action_retry_failed(action=action, user=coordinator) == 1
    assert not Letter.objects.filter(state=Letter.State.FAILED).exists()


def test_a_closed_action_sends_no_failed_letter_again(action, coordinator):
    [letter] = world.letters(action, world.targets(action, 1), state=Letter.State.FAILED)
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.CLOSED)

    assert services.letter_retry(letter=letter, user=coordinator) is False
    assert services.action_retry_failed(action=action, user=coordinator) == 0
    letter.refresh_from_db()
    assert letter.state == Letter.State.FAILED
    action.refresh_from_db()
    assert not action.sends  # the pages offer no sending again


# Progress ----------------------------------------------------------------------------------


def test_progress_counts_letters_by_state_in_one_query(action, django_assert_num_queries):
    to = world.targets(action, 6)
    world.letters(action, to[:2], state=Letter.State.SENT)
    world.letters(action, to[2:3], state=Letter.State.FAILED)
    world.letters(action, to[3:4], state=Letter.State.QUEUED)
    world.letters(action, to[4:5], state=Letter.State.SCHEDULED)
    world.letters(action, to[5:], state=Letter.State.SUBMITTED)

    with django_assert_num_queries(1):
        progress = services.action_progress(action)

    assert progress["total"] == 5
    assert progress["finished"] == 3
    assert progress["percent"] == 60
    assert (progress["sent"], progress["failed"], progress["in_flight"]) == (2, 1, 1)
    assert progress["scheduled"] == 1 and progress["waiting"] == 1
    assert progress["done"] is False
    assert progress["counts"][Letter.State.BOUNCED] == 0
    assert [state for state, _label, _count in progress["states"]] == [
        "submitted",
        "scheduled",
        "queued",
        "sent",
        "failed",
    ]


def test_targets_without_a_letter_are_counted_in_one_query(action, django_assert_num_queries):
    to = world.targets(action, 4)
    world.letters(action, to[:1], state=Letter.State.SENT)
    world.letters(action, to[1:2], state=Letter.State.SUBMITTED)
    world.letters(action, to[2:3], state=Letter.State.DRAFT)  # only begun: no letter yet

    with django_assert_num_queries(1):
        counts = services.target_counts(action)

    assert counts == {"targets": 4, "unwritten": 2}


@pytest.mark.parametrize(
    ("kind", "launched", "gap"),
    [
        ("letter_day", False, True),
        ("cosigned", False, False),  # made for every target at launch
        ("foi", False, False),
        ("cosigned", True, True),
        ("foi", True, True),
    ],
)
def test_a_target_without_a_letter_is_missing_one_unless_launch_makes_it(kind, launched, gap):
    action = LetterAction(kind=kind, launched_at=timezone.now() if launched else None)
    assert action.unwritten_is_gap is gap


@pytest.mark.parametrize(
    ("channel", "copy_aides", "copied"),
    [("email", True, True), ("email", False, False), ("print", True, False), ("hand", True, False)],
)
def test_only_emailed_letters_copy_aides(channel, copy_aides, copied):
    action = LetterAction(channel=channel, copy_aides=copy_aides)
    assert action.copies_aides is copied


def test_progress_gives_when_foi_answers_are_due(action):
    to = world.targets(action, 3)
    world.letters(action, to[:1], state=Letter.State.SENT, foi_deadline=dt.date(2031, 2, 6))
    world.letters(action, to[1:2], state=Letter.State.SENT, foi_deadline=dt.date(2031, 2, 13))
    world.letters(action, to[2:], state=Letter.State.SCHEDULED)

    progress = services.action_progress(action)

    assert progress["answer_due_first"] == dt.date(2031, 2, 6)
    assert progress["answer_due_last"] == dt.date(2031, 2, 13)


def test_progress_of_an_action_without_letters(action):
    progress = services.action_progress(action)

    assert (progress["total"], progress["percent"], progress["done"]) == (0, 100, True)


# Printed letters ---------------------------------------------------------------------------


def test_marking_targets_delivered_sends_their_printed_letters(organisation, coordinator):
    action = world.action(organisation, coordinator, channel="hand")
    to = world.targets(action, 2)
    first = world.letters(action, to[:1], state=Letter.State.PRINTED)
    second = world.letters(action, to[1:], state=Letter.State.PRINTED)
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.SENDING)
    now = timezone.now()

    count = services.targets_mark_delivered(
        action=action, targets=[to[0]], user=coordinator, now=now
    )

    assert count == 1
    first[0].refresh_from_db()
    second[0].refresh_from_db()
    assert (first[0].state, first[0].sent_at) == (Letter.State.SENT, now)
    assert second[0].state == Letter.State.PRINTED
    assert ActionTarget.objects.get(pk=to[0].pk).delivered_at == now
    # Nothing is scheduled or on its way any more: printed letters are done sending.
    action.refresh_from_db()
    assert action.state == LetterAction.State.SENT


def test_a_delivered_foi_request_counts_its_deadline_from_delivery(organisation, coordinator):
    action = world.action(organisation, coordinator, kind="foi", channel="print")
    action.foi_country = factories.CountryFactory(code="KE")  # 21 calendar days
    action.save()
    to = world.targets(action, 1, time_zone="Africa/Nairobi")
    letter = world.letters(action, to, state=Letter.State.PRINTED)[0]

    # 22:30 UTC on 1 March is already 2 March in Nairobi.
    services.targets_mark_delivered(
        action=action, targets=to, user=coordinator, now=utc(2031, 3, 1, 22, 30)
    )

    letter.refresh_from_db()
    assert letter.foi_deadline == dt.date(2031, 3, 23)
    keys = set(Reminder.objects.values_list("source_key", flat=True))
    assert keys == set(services.foi_reminder_keys(letter))


def test_targets_of_another_action_are_ignored(organisation, coordinator):
    action = world.action(organisation, coordinator, channel="hand")
    other = world.action(organisation, coordinator, channel="hand")
    theirs = world.targets(other, 1)
    world.letters(other, theirs, state=Letter.State.PRINTED)

    assert services.targets_mark_delivered(action=action, targets=theirs, user=coordinator) == 0
    assert Letter.objects.get().state == Letter.State.PRINTED


@pytest.mark.parametrize(
    ("state", "changeable"),
    [
        ("draft", True),
        ("open", True),
        ("scheduled", False),
        ("sending", False),
        ("sent", False),
        ("closed", False),
    ],
)
def test_an_action_changes_until_it_is_launched(state, changeable):
    assert LetterAction(state=state).is_changeable is changeable
