"""'Remind me' on any record the user may see."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Visibility
from campaigns.models import Reminder
from tests.factories import CampaignFactory, PersonFactory

URL = reverse("campaigns:remind_me")
BEIRUT = zoneinfo.ZoneInfo("Asia/Beirut")


def when(days: int = 3) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def campaign(organisation, coordinator):
    return CampaignFactory(organisation=organisation, created_by=coordinator, name="Ratify CCM")


def test_it_reminds_the_user_about_a_campaign_they_can_see(campaigner_client, campaigner, campaign):
    campaigner.time_zone = "Asia/Beirut"
    campaigner.save()
    typed = (dt.datetime.now(BEIRUT) + dt.timedelta(days=3)).replace(second=0, microsecond=0)

    response = campaigner_client.post(
        URL,
        {
            "content_type": "campaigns.campaign",
            "object_id": campaign.pk,
            "due_at": typed.strftime("%Y-%m-%dT%H:%M"),
            "note": "Check whether the bill was tabled.",
            "next": campaign.get_absolute_url(),
        },
    )

    assert response.url == campaign.get_absolute_url()
    reminder = Reminder.objects.get()
    assert reminder.recipient == campaigner
    assert reminder.kind == Reminder.Kind.CUSTOM
    # Typed in Beirut time, stored in UTC.
    assert reminder.due_at == typed.astimezone(dt.UTC)
    assert (reminder.title, reminder.message) == (
        "Ratify CCM",
        "Check whether the bill was tabled.",
    )
    assert reminder.url == campaign.get_absolute_url()


def test_the_same_request_twice_makes_one_reminder(campaigner_client, campaign):
    data = {"content_type": "campaigns.campaign", "object_id": campaign.pk, "due_at": when()}

    campaigner_client.post(URL, data)
    campaigner_client.post(URL, data)

    assert Reminder.objects.count() == 1


def test_a_record_the_user_cannot_see_is_not_found(outsider_client, campaign):
    response = outsider_client.post(
        URL, {"content_type": "campaigns.campaign", "object_id": campaign.pk, "due_at": when()}
    )

    assert response.status_code == 404
    assert not Reminder.objects.exists()


def test_a_private_record_of_someone_else_is_not_found(client, campaigner, coordinator):
    private = CampaignFactory(created_by=coordinator, visibility=Visibility.PRIVATE)
    client.force_login(campaigner)

    response = client.post(
        URL, {"content_type": "campaigns.campaign", "object_id": private.pk, "due_at": when()}
    )

    assert response.status_code == 404


def test_people_in_the_shared_directory_can_be_reminded_about(campaigner_client, campaigner):
    person = PersonFactory(name="Amina Njoroge")

    campaigner_client.post(
        URL, {"content_type": "contacts.person", "object_id": person.pk, "due_at": when()}
    )

    assert Reminder.objects.get().title == "Amina Njoroge"


@pytest.mark.parametrize("label", ["advocacy.user", "advocacy.invitation", "nothing.here", "x"])
def test_records_outside_the_shared_apps_are_refused(campaigner_client, campaigner, label):
    response = campaigner_client.post(
        URL, {"content_type": label, "object_id": campaigner.pk, "due_at": when()}
    )

    assert response.status_code == 404


def test_a_time_in_the_past_is_refused_with_the_form_again(campaigner_client, campaign):
    response = campaigner_client.post(
        URL,
        {"content_type": "campaigns.campaign", "object_id": campaign.pk, "due_at": when(-1)},
    )

    assert response.status_code == 400
    assert "Choose a time in the future." in response.content.decode()
    assert not Reminder.objects.exists()


def test_with_htmx_it_answers_with_the_partial(campaigner_client, campaign):
    response = campaigner_client.post(
        URL,
        {"content_type": "campaigns.campaign", "object_id": campaign.pk, "due_at": when()},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<details class="remind-me"')
    assert "We will remind you on" in body


def test_the_template_tag_renders_a_form_for_the_record(campaigner, campaign):
    request = RequestFactory().get("/campaigns/1/")
    request.user = campaigner
    template = Template("{% load reminders %}{% remind_me campaign %}")

    html = template.render(Context({"campaign": campaign, "request": request}))

    assert 'name="content_type" value="campaigns.campaign"' in html
    assert f'name="object_id" value="{campaign.pk}"' in html
    assert f'id="id_remind_campaigns_campaign_{campaign.pk}_due_at"' in html
    assert 'name="next" value="/campaigns/1/"' in html


def test_one_can_cancel_ones_own_reminder(campaigner_client, campaign):
    campaigner_client.post(
        URL, {"content_type": "campaigns.campaign", "object_id": campaign.pk, "due_at": when()}
    )
    reminder = Reminder.objects.get()

    campaigner_client.post(reverse("campaigns:reminder_cancel", args=[reminder.pk]))

    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.CANCELLED
