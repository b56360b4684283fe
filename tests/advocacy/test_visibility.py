import pytest
from django.urls import reverse

from advocacy.models import Visibility
from campaigns.models import Campaign
from tests.factories import CampaignFactory


@pytest.fixture
def records(organisation, campaigner, coordinator):
    return {
        "private": CampaignFactory(
            organisation=organisation, created_by=campaigner, visibility=Visibility.PRIVATE
        ),
        "organisation": CampaignFactory(
            organisation=organisation, created_by=campaigner, visibility=Visibility.ORGANISATION
        ),
        "coalition": CampaignFactory(
            organisation=organisation, created_by=campaigner, visibility=Visibility.COALITION
        ),
    }


def visible_names(user, records):
    visible = set(Campaign.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, record in records.items() if record.pk in visible}


def test_author_sees_all_their_records(campaigner, records):
    assert visible_names(campaigner, records) == {"private", "organisation", "coalition"}


def test_colleague_does_not_see_private(coordinator, records):
    assert visible_names(coordinator, records) == {"organisation", "coalition"}


def test_coalition_partner_sees_only_coalition_records(coalition_partner, records):
    assert visible_names(coalition_partner, records) == {"coalition"}


def test_coalition_staff_see_coalition_records(coalition, records):
    from tests.factories import MembershipFactory

    staff = MembershipFactory(organisation=coalition).user
    assert visible_names(staff, records) == {"coalition"}


def test_outsider_sees_nothing(outsider, records):
    assert visible_names(outsider, records) == set()


def test_anonymous_sees_nothing(records):
    from django.contrib.auth.models import AnonymousUser

    assert not Campaign.objects.visible_to(AnonymousUser()).exists()


def test_viewer_cannot_edit_but_can_see(viewer, records):
    assert visible_names(viewer, records) == {"organisation", "coalition"}
    assert not Campaign.objects.editable_by(viewer).exists()


def test_partner_cannot_edit_coalition_record(coalition_partner, records):
    assert not Campaign.objects.editable_by(coalition_partner).exists()


@pytest.mark.parametrize("kind", ["private", "organisation"])
def test_outsider_gets_404_not_the_record(outsider_client, records, kind):
    record = records[kind]
    response = outsider_client.get(reverse("campaigns:detail", args=[record.pk]))
    assert response.status_code == 404
    assert record.name not in response.content.decode()
    response = outsider_client.get(reverse("campaigns:update", args=[record.pk]))
    assert response.status_code == 404


def test_colleague_gets_404_for_someone_elses_private_record(client, coordinator, records):
    client.force_login(coordinator)
    response = client.get(reverse("campaigns:detail", args=[records["private"].pk]))
    assert response.status_code == 404
