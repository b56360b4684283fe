"""Meetings and what hangs off them, on top of tests/factories.py."""

import datetime as dt

import factory
from django.utils import timezone

from meetings.models import Commitment, FollowUp, Meeting, MeetingAttendee
from tests.factories import OrganisationFactory, PersonFactory, UserFactory


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    kind = Meeting.Kind.FORMAL
    # Whole minutes, as the form stores them.
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + dt.timedelta(days=7)).replace(second=0, microsecond=0)
    )
    time_zone = "Europe/Zurich"
    title = factory.Sequence(lambda n: f"Meeting {n}")


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingAttendee

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.SubFactory(PersonFactory)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    meeting = factory.SubFactory(MeetingFactory)
    by = Commitment.By.THEM
    text = factory.Sequence(lambda n: f"Commitment {n}")


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    meeting = factory.SubFactory(MeetingFactory)
    organisation = factory.SelfAttribute("meeting.organisation")
    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Follow-up {n}")
