"""The campaign form's rows: key messages, asks, facts with their sources and checks, policy
hooks and the team, added and removed with or without JavaScript."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Membership, Visibility
from campaigns.models import Ask, Campaign, CampaignMember, Fact, KeyMessage, PolicyHook
from tests.factories import (
    CampaignFactory,
    CountryFactory,
    InstitutionFactory,
    MembershipFactory,
    TreatyFactory,
)

CREATE = reverse("campaigns:create")
PREFIXES = ("key_messages", "asks", "facts", "policy_hooks", "members")


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(organisation, **fields) -> dict:
    """The campaign form as a browser sends it: every section, each with no rows."""
    data = {
        "name": "Ratify the convention",
        "organisation": organisation.pk,
        "visibility": Visibility.ORGANISATION,
        "goal": "Parliament votes the bill.",
        "description": "",
    }
    for prefix in PREFIXES:
        data |= management(prefix, 0)
    return data | fields


def rows(prefix: str, *items: dict, initial: int = 0) -> dict:
    data = management(prefix, len(items), initial)
    for index, item in enumerate(items):
        data |= {f"{prefix}-{index}-{name}": value for name, value in item.items()}
    return data


def edit_url(campaign: Campaign) -> str:
    return reverse("campaigns:update", args=[campaign.pk])


def test_a_coordinator_creates_a_campaign_with_everything_in_it(
    client, coordinator, organisation, campaigner
):
    treaty = TreatyFactory(code="ccm", name="Convention on Cluster Munitions")
    ministry = InstitutionFactory(
        name="Ministry of Health", country=CountryFactory(code="BI", name="Burundi")
    )
    client.force_login(coordinator)
    data = form_data(
        organisation,
        treaty=treaty.pk,
        countries=["BI", "FJ"],
        **rows(
            "key_messages",
            {"text": "Cluster munitions kill civilians for decades.", "language": "en"},
            {"text": "Joining costs nothing.", "language": "fr"},
        ),
        **rows(
            "asks", {"text": "Table the bill this session.", "audience": "MPs", "language": "en"}
        ),
        **rows(
            "facts",
            {
                "statement": "The convention entered into force on 1 August 2010.",
                "source_name": "UN Treaty Collection",
                "source_url": "https://treaties.un.org/",
                "checked": "on",
                "language": "en",
            },
        ),
        **rows(
            "policy_hooks",
            {"institution": ministry.pk, "hook": "Cares about victim assistance.", "is_lead": ""},
        ),
        **rows("members", {"user": campaigner.pk, "role": "member"}),
    )

    response = client.post(CREATE, data)

    campaign = Campaign.objects.get()
    assert response.url == campaign.get_absolute_url()
    assert campaign.treaty == treaty
    assert sorted(campaign.countries.values_list("code", flat=True)) == ["BI", "FJ"]
    assert list(campaign.key_messages.values_list("text", "language", "position")) == [
        ("Cluster munitions kill civilians for decades.", "en", 0),
        ("Joining costs nothing.", "fr", 1),
    ]
    assert campaign.asks.get().audience == "MPs"
    fact = campaign.facts.get()
    assert (fact.source_url, fact.checked_by, fact.checked_on) == (
        "https://treaties.un.org/",
        coordinator,
        timezone.localdate(),
    )
    hook = campaign.policy_hooks.get()
    assert (hook.institution, hook.is_lead) == (ministry, False)
    # The author leads a new campaign; the team row adds a member.
    assert dict(campaign.members.values_list("user__email", "role")) == {
        coordinator.email: "lead",
        campaigner.email: "member",
    }


def test_new_countries_get_their_directory_row(client, coordinator, organisation):
    client.force_login(coordinator)

    client.post(CREATE, form_data(organisation, countries=["NA"]))

    campaign = Campaign.objects.get()
    assert campaign.countries.get().name == "Namibia"


def test_an_unknown_country_code_is_an_error(client, coordinator, organisation):
    client.force_login(coordinator)

    response = client.post(CREATE, form_data(organisation, countries=["XX"]))

    assert "countries" in response.context["form"].errors
    assert not Campaign.objects.exists()


@pytest.fixture
def campaign(organisation, coordinator):
    campaign = CampaignFactory(organisation=organisation, created_by=coordinator, name="Existing")
    KeyMessage.objects.create(campaign=campaign, text="First", position=0)
    KeyMessage.objects.create(campaign=campaign, text="Second", position=1)
    return campaign


def existing_messages(campaign, *changes: dict) -> dict:
    """The key-message rows as the edit page sends them back, with changes per row."""
    items = []
    for message, change in zip(campaign.key_messages.all(), changes, strict=True):
        items.append({"id": message.pk, "text": message.text, "language": "en"} | change)
    return rows("key_messages", *items, initial=len(items))


def test_rows_are_edited_and_removed_on_the_edit_page(client, coordinator, campaign, organisation):
    client.force_login(coordinator)
    first, second = campaign.key_messages.all()

    response = client.post(
        edit_url(campaign),
        form_data(
            organisation,
            name="Existing",
            **existing_messages(campaign, {"DELETE": "on"}, {"text": "Second, sharper"}),
        ),
    )

    assert response.status_code == 302
    assert list(campaign.key_messages.values_list("pk", "text", "position")) == [
        (second.pk, "Second, sharper", 0)
    ]
    assert not KeyMessage.objects.filter(pk=first.pk).exists()


def test_a_form_without_a_section_leaves_its_rows_alone(
    client, coordinator, campaign, organisation
):
    client.force_login(coordinator)
    data = form_data(organisation, name="Renamed")
    del data["key_messages-TOTAL_FORMS"]

    client.post(edit_url(campaign), data)

    campaign.refresh_from_db()
    assert campaign.name == "Renamed"
    assert campaign.key_messages.count() == 2


def test_a_bad_row_saves_nothing_and_is_named_in_the_summary(
    client, coordinator, campaign, organisation
):
    client.force_login(coordinator)

    response = client.post(
        edit_url(campaign),
        form_data(
            organisation,
            name="Renamed",
            **rows("facts", {"statement": "A figure", "source_url": "not a link"}),
        ),
    )

    assert response.status_code == 200
    summary = response.content.decode().split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_facts-0-source_url"' in summary
    assert "Fact 1, source link: Enter a valid URL." in summary
    campaign.refresh_from_db()
    assert campaign.name == "Existing"
    assert not Fact.objects.exists()


def test_without_javascript_a_button_adds_a_blank_row_and_saves_nothing(
    client, coordinator, campaign, organisation
):
    client.force_login(coordinator)
    data = form_data(
        organisation,
        name="Not yet saved",
        add="asks",
        **rows("asks", {"text": "Typed so far", "audience": "", "language": "en"}),
    )

    response = client.post(edit_url(campaign), data)

    assert response.status_code == 200
    asks = next(s.formset for s in response.context["sections"] if s.prefix == "asks")
    assert len(asks.forms) == 2
    content = response.content.decode()
    assert 'name="asks-1-text"' in content
    assert "Typed so far" in content
    assert 'class="error-summary"' not in content
    campaign.refresh_from_db()
    assert campaign.name == "Existing"
    assert not Ask.objects.exists()


def test_htmx_gets_one_blank_row_and_the_new_row_count(client, coordinator, campaign):
    client.force_login(coordinator)

    response = client.get(
        reverse("campaigns:row", args=["facts"]),
        {"campaign": campaign.pk, "facts-TOTAL_FORMS": "3"},
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert 'name="facts-3-statement"' in content
    assert "__prefix__" not in content
    assert "Fact 4" in content
    assert 'id="id_facts-TOTAL_FORMS" hx-swap-oob="true"' in content
    assert 'value="4"' in content
    assert "<html" not in content


def test_rows_of_someone_elses_campaign_are_not_served(outsider_client, campaign):
    response = outsider_client.get(
        reverse("campaigns:row", args=["members"]), {"campaign": campaign.pk}
    )

    assert response.status_code == 404


# Facts: who checked them, and when


def fact_row(fact: Fact, **change) -> dict:
    item = {
        "id": fact.pk,
        "statement": fact.statement,
        "source_name": fact.source_name,
        "source_url": fact.source_url,
        "language": "en",
        "checked": "on" if fact.checked_on else "",
    }
    return rows("facts", item | change, initial=1)


@pytest.fixture
def checked_fact(campaign, coordinator):
    return Fact.objects.create(
        campaign=campaign,
        statement="112 states parties",
        source_name="Monitor",
        source_url="https://example.org/monitor",
        checked_by=coordinator,
        checked_on=dt.date(2024, 5, 1),
    )


def test_an_unchanged_checked_fact_keeps_who_checked_it(
    client, campaigner, campaign, organisation, checked_fact, coordinator
):
    client.force_login(campaigner)

    client.post(
        edit_url(campaign), form_data(organisation, name="Existing", **fact_row(checked_fact))
    )

    checked_fact.refresh_from_db()
    assert (checked_fact.checked_by, checked_fact.checked_on) == (coordinator, dt.date(2024, 5, 1))


def test_changing_a_checked_facts_source_makes_whoever_saves_it_the_checker(
    client, campaigner, campaign, organisation, checked_fact
):
    client.force_login(campaigner)

    client.post(
        edit_url(campaign),
        form_data(
            organisation,
            name="Existing",
            **fact_row(checked_fact, source_url="https://example.org/monitor-2025"),
        ),
    )

    checked_fact.refresh_from_db()
    assert (checked_fact.checked_by, checked_fact.checked_on) == (
        campaigner,
        timezone.localdate(),
    )


def test_unticking_the_check_clears_it(client, campaigner, campaign, organisation, checked_fact):
    client.force_login(campaigner)

    client.post(
        edit_url(campaign),
        form_data(organisation, name="Existing", **fact_row(checked_fact, checked="")),
    )

    checked_fact.refresh_from_db()
    assert (checked_fact.checked_by, checked_fact.checked_on) == (None, None)


# The team


def test_the_team_offers_only_people_who_can_see_the_campaign(
    client, coordinator, campaign, coalition_partner, outsider
):
    client.force_login(coordinator)

    form = client.get(edit_url(campaign)).context["sections"][4].formset.forms[0]

    offered = {value for value, _label in form.fields["user"].choices if value}
    assert coordinator.pk in offered
    assert coalition_partner.pk not in offered  # shared with the organisation only
    assert outsider.pk not in offered


def test_someone_who_cannot_see_the_campaign_cannot_join_its_team(
    client, coordinator, campaign, organisation, coalition_partner
):
    client.force_login(coordinator)

    response = client.post(
        edit_url(campaign),
        form_data(
            organisation,
            name="Existing",
            **rows("members", {"user": coalition_partner.pk, "role": "member"}),
        ),
    )

    assert response.status_code == 200
    assert "cannot see this campaign" in response.content.decode()
    assert not CampaignMember.objects.filter(user=coalition_partner).exists()


def test_sharing_with_the_coalition_lets_partners_join(
    client, coordinator, campaign, organisation, coalition_partner
):
    client.force_login(coordinator)

    response = client.post(
        edit_url(campaign),
        form_data(
            organisation,
            name="Existing",
            visibility=Visibility.COALITION,
            **rows("members", {"user": coalition_partner.pk, "role": "lead"}),
        ),
    )

    assert response.status_code == 302
    assert CampaignMember.objects.get(user=coalition_partner).role == "lead"


def test_naming_a_lead_on_creation_keeps_the_author_off_the_team(client, coordinator, organisation):
    colleague = MembershipFactory(organisation=organisation, role=Membership.Role.CAMPAIGNER).user
    client.force_login(coordinator)

    client.post(
        CREATE, form_data(organisation, **rows("members", {"user": colleague.pk, "role": "lead"}))
    )

    assert list(CampaignMember.objects.values_list("user", "role")) == [(colleague.pk, "lead")]


# Policy hooks


def test_policy_hooks_offer_institutions_of_the_campaigns_countries(client, coordinator, campaign):
    burundi = CountryFactory(code="BI", name="Burundi")
    campaign.countries.set([burundi])
    here = InstitutionFactory(name="Ministère de la Santé", country=burundi)
    elsewhere = InstitutionFactory(
        name="Ministry of Health", country=CountryFactory(code="GB", name="United Kingdom")
    )
    party = InstitutionFactory(name="A party", kind="party", country=burundi)
    client.force_login(coordinator)

    form = client.get(edit_url(campaign)).context["sections"][3].formset.forms[0]

    offered = {value for value, _label in form.fields["institution"].choices}
    assert here.pk in offered
    assert elsewhere.pk not in offered
    assert party.pk not in offered


def test_a_lead_and_a_consulted_ministry_show_on_the_campaign(client, coordinator, campaign):
    lead = InstitutionFactory(name="Ministry of Foreign Affairs")
    consulted = InstitutionFactory(name="Ministry of Health")
    PolicyHook.objects.create(
        campaign=campaign, institution=lead, hook="Ratification", is_lead=True
    )
    PolicyHook.objects.create(campaign=campaign, institution=consulted, hook="Victim assistance")
    client.force_login(coordinator)

    content = client.get(campaign.get_absolute_url()).content.decode()
    hooks = content.split('id="hooks-heading"')[1].split("</section>")[0]

    assert hooks.index("Ministry of Foreign Affairs") < hooks.index("Ministry of Health")
    assert "Lead" in hooks.split("Ministry of Health")[0]
    assert "Consulted" in hooks.split("Ministry of Health")[1]


def test_a_viewer_cannot_change_rows(client, viewer, campaign, organisation):
    client.force_login(viewer)

    response = client.post(
        edit_url(campaign),
        form_data(organisation, **existing_messages(campaign, {"DELETE": "on"}, {})),
    )

    assert response.status_code == 404
    assert campaign.key_messages.count() == 2
