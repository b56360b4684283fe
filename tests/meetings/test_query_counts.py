"""Meeting lists and pages run a fixed number of queries however big they get."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Ask, Fact, KeyMessage, PolicyHook
from meetings import services
from meetings.models import Meeting
from tests import factories
from tests.meetings.factories import (
    AttendeeFactory,
    CommitmentFactory,
    FollowUpFactory,
    MeetingFactory,
)


def _meeting_with(size: int, organisation, campaigner, campaign) -> Meeting:
    """A meeting with `size` of everything its page and dossier show."""
    meeting = MeetingFactory(
        organisation=organisation, created_by=campaigner, campaign=campaign, notes="One\nTwo"
    )
    services.checklist_copy(meeting=meeting)
    meeting.our_attendees.add(campaigner)
    for n in range(size):
        person = factories.PersonFactory()
        position = factories.PositionFactory(person=person)
        AttendeeFactory(meeting=meeting, person=person, institution=position.institution)
        AttendeeFactory(meeting=meeting, person=None, institution=factories.InstitutionFactory())
        PolicyHook.objects.create(campaign=campaign, institution=position.institution, hook="h")
        factories.StanceAssessmentFactory(person=person, campaign=campaign)
        previous = MeetingFactory(
            organisation=organisation,
            created_by=campaigner,
            starts_at=meeting.starts_at - dt.timedelta(days=n + 1),
            summary="Earlier outcome",
        )
        AttendeeFactory(meeting=previous, person=person)
        CommitmentFactory(meeting=previous, by="them")
        CommitmentFactory(meeting=meeting, by="us", person=person)
        FollowUpFactory(meeting=meeting, owner=campaigner, due_on=timezone.localdate())
        services.off_record_mark(meeting=meeting, user=campaigner, approx_minutes=n + 1)
        services.stance_record(meeting=meeting, person=person, stance="supportive", user=campaigner)
        KeyMessage.objects.create(campaign=campaign, text=f"Message {n}")
        Ask.objects.create(campaign=campaign, text=f"Ask {n}")
        Fact.objects.create(campaign=campaign, statement=f"Fact {n}")
    return meeting


# session, user; the meeting with campaign, organisation, lead, follow-up owner and author
# (joined); its attendees (people and institutions joined), our attendees, checklist,
# off-record markers, commitments (people joined), follow-ups (owners joined); the stance
# changes it recorded; the dossier: current positions, the campaign if visible, its key
# messages, asks and facts, stance assessments, earlier meetings with the people, open
# commitments, policy hooks, letters to the people and their replies; the menu's
# memberships. (Its author needs no role lookup.)
DETAIL_QUERIES = 21


@pytest.mark.parametrize("size", [1, 3, 8])
def test_the_meeting_page_queries_do_not_grow(
    size, campaigner_client, campaigner, organisation, campaign, django_assert_num_queries
):
    meeting = _meeting_with(size, organisation, campaigner, campaign)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = campaigner_client.get(meeting.get_absolute_url())

    html = response.content.decode()
    assert html.count('class="off-record"') == size
    assert html.count("Earlier outcome") == size
    assert len(response.context["dossier"]["targets"]) == 2 * size


# session, user; the shared view: the meeting and its rows as above, the stance changes,
# the user's role; the menu's memberships.
SHARED_DETAIL_QUERIES = 12


@pytest.mark.parametrize("size", [1, 5])
def test_the_shared_view_queries_do_not_grow(
    size, client, coalition_partner, campaigner, organisation, campaign, django_assert_num_queries
):
    meeting = _meeting_with(size, organisation, campaigner, campaign)
    meeting.visibility = "coalition"
    meeting.save()
    client.force_login(coalition_partner)

    with django_assert_num_queries(SHARED_DETAIL_QUERIES):
        response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    assert "dossier" not in response.context


# session, user; the campaigns of visible meetings (the filter's choices); the number of
# matching meetings (paginator); one page of meetings with campaign, organisation and lead
# joined and checklist progress in subqueries; their attendees (people and institutions
# joined); the menu's memberships.
LIST_QUERIES = 7


@pytest.mark.parametrize("size", [1, 6, 30])
def test_the_meeting_list_queries_do_not_grow(
    size, campaigner_client, campaigner, organisation, campaign, django_assert_num_queries
):
    for n in range(size):
        meeting = MeetingFactory(
            organisation=organisation,
            created_by=campaigner,
            campaign=campaign if n % 2 else None,
            starts_at=timezone.now() + dt.timedelta(days=n + 1),
        )
        services.checklist_copy(meeting=meeting)
        AttendeeFactory.create_batch(2, meeting=meeting)

    with django_assert_num_queries(LIST_QUERIES):
        response = campaigner_client.get(reverse("meetings:list"))

    page = response.context["page"]
    assert len(page.object_list) == min(size, 25)
    assert page.object_list[0].progress == (0, 10)


def test_the_filtered_list_holds_what_matches(
    campaigner_client, campaigner, organisation, campaign
):
    now = timezone.now()
    planned = MeetingFactory(
        organisation=organisation, created_by=campaigner, campaign=campaign, title="Next"
    )
    MeetingFactory(organisation=organisation, created_by=campaigner, title="No campaign")
    past = MeetingFactory(
        organisation=organisation,
        created_by=campaigner,
        campaign=campaign,
        starts_at=now - dt.timedelta(days=3),
        status=Meeting.Status.WRITTEN_UP,
        kind=Meeting.Kind.CALL,
        title="Last week",
    )

    def titles(query: str) -> list[str]:
        response = campaigner_client.get(reverse("meetings:list") + query)
        return [m.title for m in response.context["page"].object_list]

    assert titles(f"?campaign={campaign.pk}") == [planned.title]
    assert titles("?when=past") == [past.title]
    assert titles("?when=past&kind=call&status=written_up") == [past.title]
    assert titles("?when=past&status=planned") == []


def test_htmx_gets_only_the_results(campaigner_client):
    response = campaigner_client.get(reverse("meetings:list"), headers={"HX-Request": "true"})

    assert response.content.decode().lstrip().startswith('<div id="meeting-results"')


# session, user; open follow-ups (meetings with campaigns, owners and people joined); done
# recently; the menu's memberships.
FOLLOW_UP_QUERIES = 5


@pytest.mark.parametrize("size", [1, 10])
def test_my_follow_ups_queries_do_not_grow(
    size, campaigner_client, campaigner, meeting, django_assert_num_queries
):
    for _ in range(size):
        FollowUpFactory(meeting=meeting, owner=campaigner, due_on=timezone.localdate())
        FollowUpFactory(meeting=meeting, owner=campaigner, done_at=timezone.now())

    with django_assert_num_queries(FOLLOW_UP_QUERIES):
        response = campaigner_client.get(reverse("meetings:follow_ups"))

    assert len(response.context["open"]) == size
