"""The quick log: an informal encounter on one phone screen."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from advocacy.models import Organisation
from campaigns.models import Relationship, Reminder
from contacts.models import StanceAssessment
from contacts.search import person_refresh_search
from meetings.models import FollowUp, Meeting

URL = "/meetings/log/"


def log_data(who, **overrides) -> dict:
    data = {
        "organisation": Organisation.objects.get(name="Home Org").pk,
        "person": who.pk,
        "person__q": "",
        "location": "Reception at the Swiss mission",
        "line": "Said the ministry is drafting the ratification bill.",
        "campaign": "",
        "stance": "",
        "follow_up": "",
        "owner": "",
        "due_on": "",
    }
    data.update(overrides)
    return data


def test_the_quick_log_lives_at_meetings_log():
    assert reverse("meetings:log") == URL


def test_it_logs_an_informal_encounter(campaigner_client, campaigner, organisation, minister):
    response = campaigner_client.post(URL, log_data(minister))

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert (meeting.kind, meeting.status) == ("informal", "written_up")
    assert meeting.organisation == organisation
    assert meeting.location == "Reception at the Swiss mission"
    assert meeting.notes == "Said the ministry is drafting the ratification bill."
    assert abs(meeting.starts_at - timezone.now()) < dt.timedelta(minutes=1)
    attendee = meeting.attendees.get()
    assert (attendee.person, attendee.institution) == (
        minister,
        minister.positions.get().institution,
    )
    assert list(meeting.our_attendees.all()) == [campaigner]
    assert not meeting.checklist.exists()


def test_it_records_a_stance_change_and_a_follow_up_with_its_reminder(
    campaigner_client, campaigner, coordinator, campaign, minister
):
    data = log_data(
        minister,
        campaign=campaign.pk,
        stance="supportive",
        follow_up="Send the cabinet note",
        owner=coordinator.pk,
        due_on="2027-06-01",
    )

    campaigner_client.post(URL, data)

    meeting = Meeting.objects.get()
    assessment = StanceAssessment.objects.get()
    assert (assessment.stance, assessment.campaign) == ("supportive", campaign)
    assert assessment.evidence_object == f"meetings.meeting:{meeting.pk}"
    follow_up = FollowUp.objects.get()
    assert (follow_up.title, follow_up.owner, follow_up.due_on) == (
        "Send the cabinet note",
        coordinator,
        dt.date(2027, 6, 1),
    )
    assert follow_up.person == minister
    reminder = Reminder.objects.get(source_key=f"followup:{follow_up.pk}")
    assert reminder.recipient == coordinator


def test_it_moves_the_relationship_forward(campaigner_client, campaigner, minister):
    relationship = Relationship.objects.create(
        owner=campaigner, person=minister, last_contact_on=dt.date(2020, 1, 1)
    )

    campaigner_client.post(URL, log_data(minister))

    relationship.refresh_from_db()
    assert relationship.last_contact_on == timezone.localdate()


def test_a_stance_needs_a_campaign(campaigner_client, minister):
    response = campaigner_client.post(URL, log_data(minister, stance="supportive"))

    assert response.status_code == 400
    assert "A stance is for a campaign" in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_date_needs_a_follow_up(campaigner_client, minister):
    response = campaigner_client.post(URL, log_data(minister, due_on="2027-06-01"))

    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_who_and_what_are_required(campaigner_client, minister):
    response = campaigner_client.post(URL, log_data(minister, person="", line=""))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"person", "line"}


def test_find_shows_matching_people_without_logging(campaigner_client, minister):
    person_refresh_search([minister.pk])

    response = campaigner_client.post(
        URL, log_data(minister, person="", person__q="amina", _lookup="person")
    )

    assert response.status_code == 200
    assert f'<option value="{minister.pk}">Amina Diallo</option>' in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_viewer_cannot_log(client, viewer):
    client.force_login(viewer)

    assert client.get(URL).status_code == 302


def test_a_single_campaign_is_chosen_already(campaigner_client, campaign):
    response = campaigner_client.get(URL)

    assert response.context["form"]["campaign"].value() == campaign.pk
