"""The demo's meetings: a few months of them in every demo country and every state, with
follow-ups (some overdue) and stances that move with the meetings as evidence."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from advocacy.models import Organisation
from campaigns.models import Reminder
from contacts.models import StanceAssessment
from meetings.demo import ORGANISATIONS
from meetings.models import Commitment, FollowUp, Meeting, OffRecordSegment

MODELS = (Meeting, FollowUp, Commitment, OffRecordSegment, StanceAssessment, Reminder)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def test_seeding_again_adds_nothing(seeded):
    first = counts()

    call_command("seed_demo", stdout=StringIO())

    assert counts() == first


def test_every_demo_country_has_meetings_in_every_state(seeded):
    for slug in ORGANISATIONS:
        organisation = Organisation.objects.get(slug=slug)
        meetings = Meeting.objects.filter(organisation=organisation)
        assert set(meetings.values_list("status", flat=True)) == set(Meeting.Status.values), slug
        people = meetings.values_list(
            "attendees__person__positions__institution__country", flat=True
        )
        assert set(people) - {None} == {ORGANISATIONS[slug]}, slug


def test_the_meetings_span_a_few_months(seeded):
    now = timezone.now()
    first = Meeting.objects.order_by("starts_at").first().starts_at
    last = Meeting.objects.order_by("starts_at").last().starts_at

    assert (now - first).days >= 60
    assert (last - now).days >= 20


def test_some_follow_ups_are_overdue_and_remind_their_owners(seeded):
    overdue = FollowUp.objects.overdue()

    assert overdue.count() >= len(ORGANISATIONS)
    assert FollowUp.objects.filter(done_at__isnull=False).exists()
    for follow_up in FollowUp.objects.open().filter(due_on__isnull=False):
        assert Reminder.objects.filter(source_key=follow_up.reminder_key).exists()


def test_stances_move_over_time_with_meetings_as_evidence(seeded):
    for slug in ORGANISATIONS:
        assessments = StanceAssessment.objects.filter(
            organisation__slug=slug, evidence_object__startswith="meetings.meeting:"
        ).order_by("assessed_at")
        stances = list(assessments.values_list("stance", flat=True))
        assert stances == ["undecided", "supportive", "champion"], slug
        for assessment in assessments:
            meeting = Meeting.objects.get(pk=assessment.evidence_object.split(":")[1])
            assert assessment.evidence == StanceAssessment.Evidence.MEETING
            assert meeting.starts_at.date() <= assessment.assessed_at.date()


def test_a_meeting_in_each_country_had_an_off_record_part(seeded):
    assert OffRecordSegment.objects.count() == len(ORGANISATIONS)
