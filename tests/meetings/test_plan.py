"""Planning a meeting from a person's page, an institution's page or a campaign."""

import datetime as dt
import zoneinfo

from django.urls import reverse

from advocacy.models import AuditEvent
from campaigns.models import Relationship
from meetings.models import Meeting
from tests import factories

UTC = dt.UTC


def plan_data(**overrides) -> dict:
    data = {
        "kind": Meeting.Kind.FORMAL,
        "title": "",
        "date": "2027-03-02",
        "start_time": "14:30",
        "end_time": "15:15",
        "time_zone": "Europe/Zurich",
        "location": "Palais des Nations, room XII",
        "online_url": "",
        "campaign": "",
        "organisation": "",
        "lead": "",
        "follow_up_owner": "",
        "objective": Meeting.Objective.CHANGE_POSITION,
        "objective_detail": "Move the ministry from undecided to supportive.",
        "ask": "Table the ratification bill this session.",
        "questions": "Who decides?\nWhen does cabinet meet?",
        "visibility": "organisation",
        "cadence_days": "",
        "attendees-TOTAL_FORMS": "1",
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "0",
        "attendees-MAX_NUM_FORMS": "1000",
        "attendees-0-person": "",
        "attendees-0-institution": "",
    }
    data.update(overrides)
    return data


def test_the_person_page_links_to_planning_a_meeting_with_them(campaigner_client, minister):
    response = campaigner_client.get(minister.get_absolute_url())

    assert f"{reverse('meetings:create')}?person={minister.pk}" in response.content.decode()


def test_the_institution_page_links_to_planning_a_meeting_with_it(campaigner_client, minister):
    institution = minister.positions.get().institution

    response = campaigner_client.get(institution.get_absolute_url())

    assert f"{reverse('meetings:create')}?institution={institution.pk}" in response.content.decode()


def test_the_campaign_page_links_to_planning_a_meeting_for_it(campaigner_client, campaign):
    response = campaigner_client.get(campaign.get_absolute_url())

    assert f"{reverse('meetings:create')}?campaign={campaign.pk}" in response.content.decode()


def test_the_form_starts_with_the_person_and_where_they_work(campaigner_client, minister):
    response = campaigner_client.get(reverse("meetings:create") + f"?person={minister.pk}")

    row = response.context["formset"].forms[0]
    institution = minister.positions.get().institution
    assert row.initial == {"person": minister.pk, "institution": institution.pk}
    assert "Amina Diallo" in response.content.decode()


def test_the_form_starts_with_the_campaign(campaigner_client, campaign):
    response = campaigner_client.get(reverse("meetings:create") + f"?campaign={campaign.pk}")

    assert response.context["form"].initial["campaign"] == campaign.pk


def test_planning_stores_the_local_time_in_utc_with_its_zone(
    campaigner_client, campaigner, organisation, campaign, minister
):
    institution = minister.positions.get().institution
    data = plan_data(
        organisation=organisation.pk,
        campaign=campaign.pk,
        our_attendees=[campaigner.pk],
        lead=campaigner.pk,
        follow_up_owner=campaigner.pk,
        **{"attendees-0-person": minister.pk, "attendees-0-institution": institution.pk},
    )

    response = campaigner_client.post(reverse("meetings:create") + f"?person={minister.pk}", data)

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    geneva = zoneinfo.ZoneInfo("Europe/Zurich")
    assert meeting.starts_at == dt.datetime(2027, 3, 2, 14, 30, tzinfo=geneva)
    assert meeting.ends_at == dt.datetime(2027, 3, 2, 15, 15, tzinfo=geneva)
    assert meeting.starts_at.astimezone(UTC).hour == 13
    assert meeting.time_zone == "Europe/Zurich"
    assert (meeting.status, meeting.created_by, meeting.lead) == ("planned", campaigner, campaigner)
    assert list(meeting.our_attendees.all()) == [campaigner]
    attendee = meeting.attendees.get()
    assert (attendee.person, attendee.institution) == (minister, institution)
    assert meeting.campaign == campaign
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATED, target_id=str(meeting.pk)
    ).exists()


def test_planning_copies_the_default_checklist(campaigner_client, organisation):
    campaigner_client.post(reverse("meetings:create"), plan_data(organisation=organisation.pk))

    meeting = Meeting.objects.get()
    items = list(meeting.checklist.values_list("text", flat=True))
    assert len(items) == 10
    assert items[0] == "A clear objective"
    assert items[-1] == "Who follows up"
    assert "Contact cards" in items
    assert meeting.progress == (0, 10)


def test_a_meeting_can_be_with_an_institution_alone(campaigner_client, organisation):
    institution = factories.InstitutionFactory(name="Permanent Mission of Fiji")

    campaigner_client.post(
        reverse("meetings:create"),
        plan_data(organisation=organisation.pk, **{"attendees-0-institution": institution.pk}),
    )

    attendee = Meeting.objects.get().attendees.get()
    assert (attendee.person, attendee.institution) == (None, institution)


def test_add_someone_adds_a_row_without_saving(campaigner_client, organisation):
    data = plan_data(organisation=organisation.pk, add_attendee="1", date="")

    response = campaigner_client.post(reverse("meetings:create"), data)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert not Meeting.objects.exists()
    assert "Please correct" not in response.content.decode()


def test_a_search_for_a_person_shows_matches_without_saving(
    campaigner_client, organisation, minister
):
    from contacts.search import person_refresh_search

    person_refresh_search([minister.pk])
    data = plan_data(
        organisation=organisation.pk,
        _lookup="attendees-0-person",
        **{"attendees-0-person__q": "diallo"},
    )

    response = campaigner_client.post(reverse("meetings:create"), data)

    assert response.status_code == 200
    assert f'<option value="{minister.pk}">Amina Diallo</option>' in response.content.decode()
    assert not Meeting.objects.exists()


def test_bad_input_is_shown_and_nothing_is_saved(campaigner_client, organisation):
    data = plan_data(organisation=organisation.pk, date="", end_time="13:00")

    response = campaigner_client.post(reverse("meetings:create"), data)

    assert response.status_code == 400
    assert "Please correct the following" in response.content.decode()
    assert response.context["form"].errors["date"]
    assert not Meeting.objects.exists()


def test_an_end_before_the_start_is_refused(campaigner_client, organisation):
    data = plan_data(organisation=organisation.pk, end_time="13:00")

    response = campaigner_client.post(reverse("meetings:create"), data)

    assert "The meeting ends before it starts." in response.context["form"].errors["end_time"]


def test_attendees_on_our_side_must_belong_to_the_organisation(
    campaigner_client, organisation, outsider
):
    data = plan_data(organisation=organisation.pk, lead=outsider.pk)

    response = campaigner_client.post(reverse("meetings:create"), data)

    assert response.status_code == 400
    assert not Meeting.objects.exists()


def test_a_viewer_cannot_plan_a_meeting(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("meetings:create"))

    assert response.status_code == 302
    assert response.url == reverse("meetings:list")


def test_a_check_in_sets_the_relationship_cadence(
    campaigner_client, campaigner, organisation, minister
):
    data = plan_data(
        organisation=organisation.pk,
        kind=Meeting.Kind.CHECK_IN,
        cadence_days="30",
        follow_up_owner=campaigner.pk,
        **{"attendees-0-person": minister.pk},
    )

    campaigner_client.post(reverse("meetings:create"), data)

    relationship = Relationship.objects.get()
    assert (relationship.owner, relationship.person) == (campaigner, minister)
    assert relationship.cadence_days == 30


def test_a_check_in_needs_a_cadence(campaigner_client, organisation):
    data = plan_data(organisation=organisation.pk, kind=Meeting.Kind.CHECK_IN)

    response = campaigner_client.post(reverse("meetings:create"), data)

    assert response.context["form"].errors["cadence_days"]


def test_changing_a_check_in_updates_the_cadence(campaigner_client, campaigner, meeting):
    meeting.kind = Meeting.Kind.CHECK_IN
    meeting.save()
    attendee = meeting.attendees.get()
    Relationship.objects.create(owner=campaigner, person=attendee.person, cadence_days=90)
    response = campaigner_client.get(reverse("meetings:update", args=[meeting.pk]))
    assert response.context["form"].initial["cadence_days"] == 90
    local = meeting.local_start
    data = plan_data(
        kind=Meeting.Kind.CHECK_IN,
        organisation=meeting.organisation_id,
        date=local.date().isoformat(),
        start_time=local.strftime("%H:%M"),
        end_time="",
        cadence_days="14",
        follow_up_owner=campaigner.pk,
        **{
            "attendees-INITIAL_FORMS": "1",
            "attendees-0-id": attendee.pk,
            "attendees-0-meeting": meeting.pk,
            "attendees-0-person": attendee.person_id,
            "attendees-0-institution": attendee.institution_id,
        },
    )

    response = campaigner_client.post(reverse("meetings:update", args=[meeting.pk]), data)

    assert response.status_code == 302
    assert Relationship.objects.get().cadence_days == 14
    assert meeting.attendees.count() == 1


def test_only_editors_of_its_organisation_change_a_meeting(client, meeting, coalition_partner):
    meeting.visibility = "coalition"
    meeting.save()
    client.force_login(coalition_partner)

    assert client.get(reverse("meetings:update", args=[meeting.pk])).status_code == 403
    assert client.post(reverse("meetings:cancel", args=[meeting.pk])).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_an_outsider_does_not_see_the_meeting(outsider_client, meeting):
    assert outsider_client.get(meeting.get_absolute_url()).status_code == 404


def test_cancelling_a_meeting(campaigner_client, meeting):
    response = campaigner_client.post(reverse("meetings:cancel", args=[meeting.pk]))

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def test_the_only_organisation_is_chosen_without_asking(campaigner_client, organisation):
    response = campaigner_client.get(reverse("meetings:create"))

    html = response.content.decode()
    assert f'<input type="hidden" name="organisation" value="{organisation.pk}"' in html
