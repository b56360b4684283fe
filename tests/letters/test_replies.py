"""Logging a reply: on the letter, as a stance assessment when an editor gives one, on the
target's timeline and in meeting dossiers, and the FOI reminders stop."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from advocacy.models import AuditEvent
from campaigns import reminders
from campaigns.models import Relationship, Reminder
from contacts.models import StanceAssessment
from letters import replies
from letters.models import Letter
from meetings import dossier
from meetings.models import Meeting
from tests.letters.results_world import build_world
from tests.meetings.factories import AttendeeFactory, MeetingFactory


@pytest.fixture
def world(organisation, coordinator):
    return build_world(organisation, coordinator)


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def _log(letter, user, **fields):
    values = {"kind": Letter.ReplyKind.ANSWER, "received_on": _yesterday(), **fields}
    return replies.reply_log(letter=letter, user=user, **values)


# The service


def test_an_editor_logs_a_reply_with_a_stance_change(world, campaigner):
    letter = _log(
        world.fatuma_to_amina,
        campaigner,
        summary="She will raise it with the committee.",
        commitment="Table a question before the recess.",
        stance="supportive",
    )

    letter.refresh_from_db()
    assert letter.reply_kind == "answer"
    assert letter.reply_received_on == _yesterday()
    assert letter.reply_summary == "She will raise it with the committee."
    assert letter.reply_commitment == "Table a question before the recess."
    assert letter.reply_stance == "supportive"
    assert letter.reply_logged_by == campaigner
    assert not letter.reported_by_writer
    assessment = StanceAssessment.objects.get(person=world.amina)
    assert assessment.stance == "supportive"
    assert assessment.campaign == world.campaign
    assert assessment.organisation == world.action.organisation
    assert assessment.evidence == StanceAssessment.Evidence.LETTER
    assert assessment.evidence_object == f"letters.letter:{letter.pk}"
    assert assessment.created_by == campaigner
    event = AuditEvent.objects.get(target_type__model="letter", target_id=str(letter.pk))
    assert event.detail["reply"] == "answer"
    assert event.detail["source"] == "editor"


def test_correcting_a_reply_without_changing_the_stance_adds_no_assessment(world, campaigner):
    _log(world.fatuma_to_amina, campaigner, stance="undecided")
    _log(world.fatuma_to_amina, campaigner, stance="undecided", summary="Corrected.")
    assert StanceAssessment.objects.filter(person=world.amina).count() == 1

    _log(world.fatuma_to_amina, campaigner, stance="champion")
    assert StanceAssessment.objects.filter(person=world.amina).count() == 2


def test_without_a_stance_no_assessment_is_made(world, campaigner):
    _log(world.fatuma_to_amina, campaigner, kind=Letter.ReplyKind.ACKNOWLEDGEMENT)
    assert not StanceAssessment.objects.exists()


def test_the_writers_answer_is_kept_as_reported_and_never_changes_a_stance(world):
    letter = replies.reply_log(
        letter=world.fatuma_to_amina,
        signatory=world.fatuma,
        kind=Letter.ReplyKind.ANSWER,
        summary="A kind reply promising support.",
        stance="champion",
    )

    letter.refresh_from_db()
    assert letter.reply_kind == "answer"
    assert letter.reply_summary == "A kind reply promising support."
    assert letter.reply_stance == ""
    assert letter.reply_logged_by is None
    assert letter.reported_by_writer
    assert not StanceAssessment.objects.exists()
    event = AuditEvent.objects.get(target_type__model="letter", target_id=str(letter.pk))
    assert event.detail["source"] == "writer"
    assert "Fatuma Hassan" in event.actor_label


def test_a_writers_report_does_not_replace_an_editors_log(world, campaigner):
    _log(world.fatuma_to_amina, campaigner, summary="Logged by the office.")

    replies.reply_log(
        letter=world.fatuma_to_amina,
        signatory=world.fatuma,
        kind=Letter.ReplyKind.NO_ANSWER,
    )

    world.fatuma_to_amina.refresh_from_db()
    assert world.fatuma_to_amina.reply_summary == "Logged by the office."
    assert world.fatuma_to_amina.reply_kind == "answer"


def test_only_the_letters_own_writer_may_report(world):
    with pytest.raises(PermissionDenied):
        replies.reply_log(
            letter=world.fatuma_to_amina, signatory=world.george, kind=Letter.ReplyKind.ANSWER
        )


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_log(world, who, request):
    with pytest.raises(PermissionDenied):
        _log(world.fatuma_to_amina, request.getfixturevalue(who))


def test_a_letter_that_has_not_gone_out_takes_no_reply(world, campaigner):
    with pytest.raises(ValidationError):
        _log(world.george_to_brian, campaigner)  # failed
    with pytest.raises(ValidationError):
        _log(world.hannah_draft, campaigner)


def test_an_editor_gives_the_day_the_reply_came(world, campaigner):
    with pytest.raises(ValidationError):
        _log(world.fatuma_to_amina, campaigner, received_on=None)


def test_a_reply_is_a_contact_on_the_organisations_relationships(world, campaigner, outsider):
    ours = Relationship.objects.create(
        owner=campaigner,
        person=world.amina,
        last_contact_on=timezone.localdate() - dt.timedelta(days=90),
    )
    theirs = Relationship.objects.create(owner=outsider, person=world.amina)

    _log(world.fatuma_to_amina, campaigner)

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.last_contact_on == _yesterday()
    assert theirs.last_contact_on is None


def test_a_reply_cancels_the_foi_reminders(world, campaigner, coordinator):
    from letters import services

    letter = world.fatuma_to_amina
    due = timezone.now() + dt.timedelta(days=3)
    for key in services.foi_reminder_keys(letter):
        reminders.reminder_schedule(
            recipient=coordinator,
            due_at=due,
            kind=Reminder.Kind.FOI_DEADLINE,
            source_key=key,
            title="Answer due",
        )
    assert Reminder.objects.filter(state=Reminder.State.PENDING).count() == 2

    _log(letter, campaigner)

    assert not Reminder.objects.filter(state=Reminder.State.PENDING).exists()


def test_no_answer_keeps_the_foi_reminders(world, campaigner, coordinator):
    from letters import services

    letter = world.fatuma_to_amina
    reminders.reminder_schedule(
        recipient=coordinator,
        due_at=timezone.now() + dt.timedelta(days=3),
        kind=Reminder.Kind.FOI_DEADLINE,
        source_key=services.foi_reminder_keys(letter)[0],
        title="Answer due",
    )

    _log(letter, campaigner, kind=Letter.ReplyKind.NO_ANSWER, received_on=None)

    assert Reminder.objects.filter(state=Reminder.State.PENDING).count() == 1


# The timeline and the dossier


def test_letters_and_replies_join_the_targets_timeline_for_members(
    world, campaigner, campaigner_client
):
    _log(world.fatuma_to_amina, campaigner, summary="Promised to table a question.")

    html = campaigner_client.get(world.amina.get_absolute_url()).content.decode()

    assert "Ratification letter day: 2 letters" in html
    assert "Reply to “Ratify the treaty, Amina Odhiambo”: Answer" in html
    assert "Promised to table a question." in html
    assert world.fatuma_to_amina.get_absolute_url() in html


def test_one_letter_shows_with_its_subject_and_writer(world, campaigner):
    entries = list(replies.letter_entries(world.brian, campaigner))

    assert [(e.kind, e.title) for e in entries] == [
        ("letter", "Ratification letter day: “Ratify the treaty, Brian Kiprop”")
    ]
    assert entries[0].detail == "From Hannah Njeri (Kibra Youth Group)"
    assert entries[0].url == world.hannah_to_brian.get_absolute_url()


def test_outsiders_see_no_letters_on_the_timeline(world, campaigner, outsider, outsider_client):
    _log(world.fatuma_to_amina, campaigner, summary="Promised to table a question.")

    assert list(replies.letter_entries(world.amina, outsider)) == []
    html = outsider_client.get(world.amina.get_absolute_url()).content.decode()
    assert "Ratification letter day" not in html
    assert "Promised to table a question." not in html


def test_a_writers_report_shows_as_reported_by_the_writer(world, campaigner):
    replies.reply_log(
        letter=world.hannah_to_brian, signatory=world.hannah, kind=Letter.ReplyKind.ANSWER
    )

    titles = [e.title for e in replies.letter_entries(world.brian, campaigner)]

    assert "Reply to “Ratify the treaty, Brian Kiprop”: Answer · reported by the writer" in titles


def test_the_timeline_source_is_one_query(world, campaigner, django_assert_num_queries):
    _log(world.fatuma_to_amina, campaigner)
    with django_assert_num_queries(1):
        assert len(list(replies.letter_entries(world.amina, campaigner))) == 2


@pytest.fixture
def meeting(world, organisation, campaigner):
    meeting = MeetingFactory(
        organisation=organisation, created_by=campaigner, campaign=world.campaign
    )
    AttendeeFactory(meeting=meeting, person=world.amina)
    AttendeeFactory(meeting=meeting, person=world.clara)
    return Meeting.objects.get(pk=meeting.pk)


def _letters_part(found, person):
    target = next(t for t in found["targets"] if t["key"] == dossier.target_key(person))
    return next(s for s in target["sources"] if s["name"] == "letters")


def test_letters_and_replies_are_in_the_meetings_dossier(world, meeting, campaigner):
    _log(world.fatuma_to_amina, campaigner, summary="Promised to table a question.")

    found = dossier.dossier(meeting, campaigner)

    part = _letters_part(found, world.amina)
    assert part["label"] == "Letters and replies"
    titles = [entry["title"] for entry in part["entries"]]
    assert titles == [
        "Reply to “Ratify the treaty, Amina Odhiambo”: Answer",
        "Ratification letter day: 2 letters",
    ]
    assert part["entries"][0]["detail"] == "Promised to table a question."
    assert _letters_part(found, world.clara)["entries"] == []


def test_the_meeting_page_shows_the_letters(world, meeting, campaigner, campaigner_client):
    _log(world.fatuma_to_amina, campaigner, summary="Promised to table a question.")

    html = campaigner_client.get(meeting.get_absolute_url()).content.decode()

    assert "Letters and replies" in html
    assert "Promised to table a question." in html


def test_the_dossier_shows_no_letters_of_actions_the_user_cannot_see(world, outsider):
    other = MeetingFactory(created_by=outsider)
    AttendeeFactory(meeting=other, person=world.amina)

    found = dossier.dossier(Meeting.objects.get(pk=other.pk), outsider)

    assert _letters_part(found, world.amina)["entries"] == []


# Changing a reply in another language


def test_the_reply_form_gives_the_browsers_date_box_an_iso_date_in_every_language(world):
    letter = world.fatuma_to_amina
    letter.reply_kind = Letter.ReplyKind.ANSWER
    letter.reply_received_on = dt.date(2026, 11, 20)

    for language in ("fr", "es", "en"):
        with translation.override(language):
            html = str(replies.ReplyForm(letter=letter)["received_on"])
        assert 'value="2026-11-20"' in html, language


def test_a_french_editor_changes_a_logged_reply(world, campaigner, client):
    campaigner.language = "fr"
    campaigner.save(update_fields=["language"])
    client.force_login(campaigner)
    letter = _log(world.fatuma_to_amina, campaigner, summary="First words.")
    url = letter.get_absolute_url()

    html = client.get(url).content.decode()
    assert f'value="{_yesterday().isoformat()}"' in html

    # What the browser sends back from the date box it showed.
    response = client.post(
        url,
        {"kind": "answer", "received_on": _yesterday().isoformat(), "summary": "Second words."},
    )

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_summary == "Second words."
    assert letter.reply_received_on == _yesterday()


# A stance from a reply, on the person's timeline


def test_a_stance_from_a_reply_dates_from_the_day_the_reply_came(world, campaigner):
    came = timezone.localdate() - dt.timedelta(days=10)

    _log(world.fatuma_to_amina, campaigner, received_on=came, stance="supportive")

    assessment = StanceAssessment.objects.get(person=world.amina)
    assert timezone.localdate(assessment.assessed_at) == came


def test_a_stance_from_a_reply_that_came_today_dates_from_now(world, campaigner):
    before = timezone.now()

    _log(world.fatuma_to_amina, campaigner, received_on=timezone.localdate(), stance="opposed")

    assert StanceAssessment.objects.get(person=world.amina).assessed_at >= before
