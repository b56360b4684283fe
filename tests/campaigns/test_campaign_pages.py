"""The campaign list (filters, pages), the campaign page, and closing and reopening."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from advocacy.models import Visibility
from campaigns.models import Ask, CampaignMember, Fact, KeyMessage, TreatyStatus
from tests.factories import CampaignFactory, CountryFactory, TreatyFactory

LIST = reverse("campaigns:list")


@pytest.fixture
def treaty(db):
    return TreatyFactory(code="ccm", name="Convention on Cluster Munitions")


@pytest.fixture
def burundi(db):
    return CountryFactory(code="BI", name="Burundi")


@pytest.fixture
def fiji(db):
    return CountryFactory(code="FJ", name="Fiji")


@pytest.fixture
def campaigns(organisation, campaigner, treaty, burundi, fiji):
    """Three campaigns of the campaigner's organisation, one of them closed."""
    ratify = CampaignFactory(
        organisation=organisation, created_by=campaigner, name="Burundi ratifies", treaty=treaty
    )
    ratify.countries.set([burundi])
    pacific = CampaignFactory(
        organisation=organisation, created_by=campaigner, name="Pacific voices"
    )
    pacific.countries.set([fiji])
    closed = CampaignFactory(
        organisation=organisation, created_by=campaigner, name="Old budget fight", is_active=False
    )
    closed.countries.set([burundi])
    return {"ratify": ratify, "pacific": pacific, "closed": closed}


def names(response) -> list[str]:
    return sorted(campaign.name for campaign in response.context["page"])


def test_the_list_shows_active_campaigns_by_default(campaigner_client, campaigns):
    response = campaigner_client.get(LIST)

    assert names(response) == ["Burundi ratifies", "Pacific voices"]
    assert "Burundi" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "BI"}, ["Burundi ratifies"]),
        ({"country": "BI", "state": "all"}, ["Burundi ratifies", "Old budget fight"]),
        ({"state": "closed"}, ["Old budget fight"]),
        ({"treaty": "ccm"}, ["Burundi ratifies"]),
        ({"treaty": "ccm", "country": "FJ"}, []),
    ],
)
def test_the_list_filters_by_country_treaty_and_state(
    campaigner_client, campaigns, query, expected
):
    assert names(campaigner_client.get(LIST, query)) == expected


def test_the_filters_offer_countries_of_visible_campaigns_only(
    campaigner_client, campaigns, outsider
):
    hidden = CampaignFactory(organisation=outsider.memberships.get().organisation)
    hidden.countries.set([CountryFactory(code="VN", name="Viet Nam")])

    form = campaigner_client.get(LIST).context["filter_form"]

    assert [code for code, _name in form.fields["country"].choices] == ["", "BI", "FJ"]


def test_pages_keep_the_filters(campaigner_client, organisation, campaigner, burundi):
    for _n in range(30):
        CampaignFactory(organisation=organisation, created_by=campaigner).countries.set([burundi])

    response = campaigner_client.get(LIST, {"country": "BI"})

    assert response.context["page"].paginator.count == 30
    assert 'href="?country=BI&amp;page=2"' in response.content.decode()
    second = campaigner_client.get(LIST, {"country": "BI", "page": 2})
    assert len(second.context["page"]) == 5


def test_htmx_filtering_returns_only_the_results(campaigner_client, campaigns):
    response = campaigner_client.get(LIST, {"country": "FJ"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="campaign-results"')
    assert "Pacific voices" in content
    assert "Burundi ratifies" not in content
    assert "<form" not in content


# The campaign page


@pytest.fixture
def full_campaign(campaigns, treaty, fiji, coordinator, campaigner):
    campaign = campaigns["ratify"]
    campaign.countries.add(fiji)
    TreatyStatus.objects.create(
        treaty=treaty,
        country_id="BI",
        status=TreatyStatus.Status.SIGNATORY,
        signed_on=dt.date(2008, 12, 3),
        stage=TreatyStatus.Stage.COMMITTEE,
    )
    KeyMessage.objects.create(campaign=campaign, text="Ratification costs nothing.", position=1)
    KeyMessage.objects.create(campaign=campaign, text="Burundi signed in 2008.", position=0)
    Ask.objects.create(campaign=campaign, text="Table the bill.", audience="the committee")
    Fact.objects.create(
        campaign=campaign,
        statement="In force since 1 August 2010.",
        source_name="UN Treaty Collection",
        source_url="https://treaties.un.org/",
        checked_by=coordinator,
        checked_on=dt.date(2025, 1, 15),
    )
    Fact.objects.create(campaign=campaign, statement="An unsourced figure.")
    CampaignMember.objects.create(campaign=campaign, user=coordinator, role="lead")
    return campaign


def section(content: str, heading_id: str) -> str:
    return content.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_the_campaign_page_shows_what_a_campaigner_needs(
    campaigner_client, full_campaign, coordinator
):
    content = campaigner_client.get(full_campaign.get_absolute_url()).content.decode()

    messages = section(content, "messages-heading")
    assert messages.index("Burundi signed in 2008.") < messages.index("Ratification costs")
    assert "Asked of the committee" in section(content, "asks-heading")
    facts = section(content, "facts-heading")
    assert (
        '<a href="https://treaties.un.org/" rel="noopener noreferrer">UN Treaty Collection</a>'
        in facts
    )
    assert f"Checked by {coordinator} on {date_format(dt.date(2025, 1, 15))}" in facts
    assert "No source" in facts and "Not checked yet" in facts
    assert "Lead" in section(content, "team-heading")


def test_the_campaign_page_shows_each_countrys_treaty_status(campaigner_client, full_campaign):
    content = campaigner_client.get(full_campaign.get_absolute_url()).content.decode()

    countries = section(content, "countries-heading")
    burundi = countries.split("Burundi")[1].split("</tr>")[0]
    assert "Signatory" in burundi
    assert date_format(dt.date(2008, 12, 3)) in burundi
    assert "Parliamentary committee" in burundi
    fiji = countries.split("Fiji")[1].split("</tr>")[0]
    assert "No status recorded" in fiji
    assert reverse("campaigns:treaty_status", args=["ccm", "FJ"]) in fiji


@pytest.mark.parametrize("persona", ["outsider", "coalition_partner"])
def test_outsiders_get_404(client, full_campaign, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(full_campaign.get_absolute_url()).status_code == 404


def test_coalition_partners_read_a_shared_campaign_without_editing(
    client, full_campaign, coalition_partner
):
    full_campaign.visibility = Visibility.COALITION
    full_campaign.save()
    client.force_login(coalition_partner)

    content = client.get(full_campaign.get_absolute_url()).content.decode()

    assert "Ratification costs nothing." in content
    assert reverse("campaigns:close", args=[full_campaign.pk]) not in content


# Closing and reopening


def test_an_editor_closes_and_reopens_a_campaign(client, coordinator, full_campaign):
    client.force_login(coordinator)

    closed = client.post(reverse("campaigns:close", args=[full_campaign.pk]), follow=True)

    full_campaign.refresh_from_db()
    assert full_campaign.is_active is False
    assert "Campaign closed." in closed.content.decode()
    assert reverse("campaigns:reopen", args=[full_campaign.pk]) in closed.content.decode()

    client.post(reverse("campaigns:reopen", args=[full_campaign.pk]))

    full_campaign.refresh_from_db()
    assert full_campaign.is_active is True


def test_a_viewer_cannot_close(client, viewer, full_campaign):
    client.force_login(viewer)

    content = client.get(full_campaign.get_absolute_url()).content.decode()
    response = client.post(reverse("campaigns:close", args=[full_campaign.pk]))

    assert reverse("campaigns:close", args=[full_campaign.pk]) not in content
    assert response.status_code == 404
    full_campaign.refresh_from_db()
    assert full_campaign.is_active is True


def test_closing_needs_a_post(client, coordinator, full_campaign):
    client.force_login(coordinator)

    assert client.get(reverse("campaigns:close", args=[full_campaign.pk])).status_code == 405
    full_campaign.refresh_from_db()
    assert full_campaign.is_active is True


def test_closed_campaigns_leave_the_home_page(campaigner_client, campaigns):
    response = campaigner_client.get(reverse("home"))

    assert "Old budget fight" not in response.content.decode()
    assert "Burundi ratifies" in response.content.decode()
