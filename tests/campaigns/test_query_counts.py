"""The home page and the campaign pages run a fixed number of queries however many rows exist."""

import datetime as dt

import pytest
from django.urls import reverse

from advocacy.models import Membership, Visibility
from campaigns.models import (
    Ask,
    Campaign,
    CampaignMember,
    Fact,
    KeyMessage,
    PolicyHook,
    TreatyStatus,
)
from contacts.models import Tag
from tests.factories import (
    CampaignFactory,
    CoalitionFactory,
    CountryFactory,
    InstitutionFactory,
    MembershipFactory,
    OrganisationFactory,
    TreatyFactory,
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
# menu's memberships, the latest campaigns with their organisations (joined), the user's next
# meetings (checklist progress in subqueries), their open follow-ups (meetings joined).
DASHBOARD_QUERIES = 7


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


# session, user, the countries of visible campaigns and the treaties (the filters' choices),
# the number of matching campaigns for the paginator, the menu's memberships, one page of
# campaigns with their organisations and treaties (joined), the page's countries (prefetched).
CAMPAIGN_LIST_QUERIES = 8


def _with_countries(campaigns, treaty, codes) -> None:
    for campaign in campaigns:
        campaign.treaty = treaty
        campaign.save()
        campaign.countries.set([CountryFactory(code=code, name=code) for code in codes])


def test_campaign_list_queries_do_not_grow(
    campaigner_client, busy_campaigner, django_assert_num_queries
):
    busy_campaigner(1)
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES):
        campaigner_client.get(reverse("campaigns:list"))

    busy_campaigner(15)
    treaty = TreatyFactory()
    _with_countries(Campaign.objects.all(), treaty, ["BI", "FJ", "LB", "VN"])
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES):
        response = campaigner_client.get(reverse("campaigns:list"))
    assert len(response.context["page"]) == 25
    assert response.context["page"].paginator.count == 32
    with django_assert_num_queries(CAMPAIGN_LIST_QUERIES):
        filtered = campaigner_client.get(
            reverse("campaigns:list"), {"country": "FJ", "treaty": treaty.code, "page": 2}
        )
    assert len(filtered.context["page"]) == 7


# session, user, the campaign with its organisation, author and treaty (joined), then one
# query each, prefetched: its countries, key messages, asks, facts with who checked them,
# policy hooks with their institutions' countries and themes, team members with their users;
# whether the user may edit it, the treaty statuses of its countries, its letter actions,
# the menu's memberships.
CAMPAIGN_DETAIL_QUERIES = 13


def _fill(campaign, size: int, checker) -> None:
    """`size` rows of every kind, in as many countries."""
    codes = ["BI", "FJ", "LB", "VN", "GB", "CO", "CH"][:size]
    _with_countries([campaign], campaign.treaty, codes)
    for code in codes:
        TreatyStatus.objects.get_or_create(
            treaty=campaign.treaty, country_id=code, defaults={"status": "signatory"}
        )
    tag = Tag.objects.get_or_create(slug="health", defaults={"name": "health"})[0]
    for n in range(size):
        KeyMessage.objects.create(campaign=campaign, text=f"Message {n}")
        Ask.objects.create(campaign=campaign, text=f"Ask {n}", audience="MPs")
        Fact.objects.create(
            campaign=campaign,
            statement=f"Fact {n}",
            source_url="https://example.org/source",
            checked_by=checker,
            checked_on=dt.date(2025, 1, 1),
        )
        PolicyHook.objects.create(
            campaign=campaign,
            institution=InstitutionFactory(country=CountryFactory(code=codes[n], name="x")),
            hook="Victim assistance",
            tag=tag,
        )
        CampaignMember.objects.create(
            campaign=campaign, user=MembershipFactory(organisation=campaign.organisation).user
        )


@pytest.mark.parametrize("size", [1, 6])
def test_campaign_detail_queries_do_not_grow(
    size, campaigner_client, campaigner, organisation, busy_campaigner, django_assert_num_queries
):
    campaign = CampaignFactory(
        organisation=organisation, created_by=campaigner, treaty=TreatyFactory()
    )
    _fill(campaign, size, campaigner)
    busy_campaigner(5)
    MembershipFactory.create_batch(5, organisation=organisation, role=Membership.Role.VIEWER)
    url = reverse("campaigns:detail", args=[campaign.pk])

    with django_assert_num_queries(CAMPAIGN_DETAIL_QUERIES):
        response = campaigner_client.get(url)

    assert response.context["can_edit"] is True
    assert len(response.context["country_statuses"]) == size
    assert response.content.decode().count("Victim assistance") == size
