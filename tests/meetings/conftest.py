import pytest

from meetings import services
from meetings.models import Meeting
from tests import factories
from tests.meetings.factories import AttendeeFactory, MeetingFactory


@pytest.fixture
def campaign(organisation, coordinator):
    return factories.CampaignFactory(
        organisation=organisation, created_by=coordinator, name="Ratify the convention"
    )


@pytest.fixture
def minister(db):
    person = factories.PersonFactory(name="Amina Diallo", given_name="Amina", family_name="Diallo")
    factories.PositionFactory(
        person=person, role="minister", institution__name="Ministry of Foreign Affairs"
    )
    return person


@pytest.fixture
def meeting(organisation, campaigner, campaign, minister):
    """A planned meeting with the minister, with the organisation's checklist."""
    meeting = MeetingFactory(
        organisation=organisation,
        created_by=campaigner,
        campaign=campaign,
        lead=campaigner,
        follow_up_owner=campaigner,
        ask="Table the ratification bill this session.",
    )
    AttendeeFactory(
        meeting=meeting, person=minister, institution=minister.positions.get().institution
    )
    services.checklist_copy(meeting=meeting)
    return Meeting.objects.get(pk=meeting.pk)
