"""The home page and the campaign pages run a fixed number of queries however many rows exist."""

import pytest
from django.urls import reverse

from advocacy.models import Membership, Visibility
from tests.factories import (
    CampaignFactory,
    CoalitionFactory,
    MembershipFactory,
    OrganisationFactory,
)


@pytest.fixture
def busy_campaigner(campaigner, coalition):
    """The campaigner also belongs to other organisations, some in other coalitions."""

    def add(count: int) -> None:
        for _ in range(count):
            organisation = OrganisationFactory(coalition=CoalitionFactory())
            MembershipFactory(user=campaigner, organisation=organisation)
            CampaignFactory(organisation=organisation, created_by=campaigner)
            # Shared by partners across the coalition, so campaigns of many organisations show.
            partner = OrganisationFactory(coalition=coalition)
            CampaignFactory(organisation=partner, visibility=Visibility.COALITION)

    return add


# session, user, the user's memberships with organisations and coalitions (joined), the
# menu's memberships, the latest campaigns with their organisations (joined).
DASHBOARD_QUERIES = 5


def test_dashboard_queries_do_not_grow(
    campaigner_client, busy_campaigner, django_assert_num_queries
):
    busy_campaigner(1)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = campaigner_client.get(reverse("home"))
    assert len(response.context["campaigns"]) == 2

    busy_campaigner(6)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = campaigner_client.get(reverse("home"))
    assert len(response.context["memberships"]) == 8
    assert len(response.context["campaigns"]) == 8


# session, user, the number of visible campaigns for the paginator, the menu's memberships,
# one page of campaigns with their organisations (joined).
CAMPAIGN_LIST_QUERIES = 5


def test_campaign_list_queries_do_not_grow(
    campaigner_client, busy_campaigner, django_assert_num_queries
):
    busy_campaigner(1)
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES):
        campaigner_client.get(reverse("campaigns:list"))

    busy_campaigner(15)
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES):
        response = campaigner_client.get(reverse("campaigns:list"))
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.count == 32


# session, user, the campaign with its organisation and author (joined), whether the user may
# edit it, the menu's memberships.
CAMPAIGN_DETAIL_QUERIES = 5


def test_campaign_detail_queries_do_not_grow(
    campaigner_client, campaigner, organisation, busy_campaigner, django_assert_num_queries
):
    campaign = CampaignFactory(organisation=organisation, created_by=campaigner)
    url = reverse("campaigns:detail", args=[campaign.pk])
    with django_assert_num_queries(CAMPAIGN_DETAIL_QUERIES):
        campaigner_client.get(url)

    busy_campaigner(5)
    MembershipFactory.create_batch(5, organisation=organisation, role=Membership.Role.VIEWER)
    with django_assert_num_queries(CAMPAIGN_DETAIL_QUERIES):
        response = campaigner_client.get(url)
    assert response.context["can_edit"] is True
