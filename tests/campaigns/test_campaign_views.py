"""Starting and editing campaigns: who may, in which organisation, and what a mistake looks like."""

import re

import pytest
from django.urls import reverse

from advocacy.models import Membership, Visibility
from campaigns.models import Campaign
from tests.factories import CampaignFactory, MembershipFactory, OrganisationFactory, UserFactory

CREATE = reverse("campaigns:create")


def campaign_data(organisation, **overrides) -> dict:
    return {
        "name": "Ratification before the next meeting of states parties",
        "organisation": organisation.pk,
        "visibility": Visibility.COALITION,
        "goal": "Parliament votes the ratification bill.",
        "description": "Meet the foreign affairs committee first.",
        **overrides,
    }


@pytest.fixture
def campaign(organisation, campaigner):
    return CampaignFactory(
        organisation=organisation,
        created_by=campaigner,
        name="Original name",
        visibility=Visibility.COALITION,
    )


def update_url(campaign: Campaign) -> str:
    return reverse("campaigns:update", args=[campaign.pk])


# Creating


def test_a_campaigner_creates_a_campaign(campaigner_client, campaigner, organisation):
    response = campaigner_client.post(CREATE, campaign_data(organisation), follow=True)

    campaign = Campaign.objects.get()
    assert response.redirect_chain == [(campaign.get_absolute_url(), 302)]
    assert "Campaign created." in response.content.decode()
    assert campaign.name == "Ratification before the next meeting of states parties"
    assert (campaign.organisation, campaign.created_by) == (organisation, campaigner)
    assert campaign.visibility == Visibility.COALITION
    assert campaign.goal == "Parliament votes the ratification bill."


def test_new_campaigns_are_shared_with_the_organisation_by_default(campaigner_client):
    form = campaigner_client.get(CREATE).context["form"]

    assert form["visibility"].value() == Visibility.ORGANISATION


def test_organisation_choices_are_where_the_user_may_edit(
    client, campaigner, organisation, coalition, outsider
):
    reading_only = OrganisationFactory(name="Reading Only Org")
    MembershipFactory(user=campaigner, organisation=reading_only, role=Membership.Role.VIEWER)
    coordinating = OrganisationFactory(name="Another Org")
    MembershipFactory(user=campaigner, organisation=coordinating, role=Membership.Role.COORDINATOR)
    client.force_login(campaigner)

    form = client.get(CREATE).context["form"]

    assert list(form.fields["organisation"].queryset) == [coordinating, organisation]
    choices = [value for value, _ in form.fields["organisation"].choices]
    assert "" not in choices


@pytest.mark.parametrize("where", ["viewer", "outsider", "coalition"])
def test_a_campaign_cannot_be_created_elsewhere(
    client, campaigner, organisation, coalition, outsider, where
):
    reading_only = OrganisationFactory()
    MembershipFactory(user=campaigner, organisation=reading_only, role=Membership.Role.VIEWER)
    target = {
        "viewer": reading_only,
        "outsider": outsider.memberships.get().organisation,
        "coalition": coalition,
    }[where]
    client.force_login(campaigner)

    response = client.post(CREATE, campaign_data(target))

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_viewer_is_told_they_cannot_create(client, viewer):
    client.force_login(viewer)

    response = client.get(CREATE, follow=True)
    posted = client.post(CREATE, campaign_data(viewer.memberships.get().organisation))

    assert response.redirect_chain == [(reverse("campaigns:list"), 302)]
    assert "Viewers cannot start campaigns" in response.content.decode()
    assert posted.status_code == 302
    assert not Campaign.objects.exists()


def test_someone_without_an_organisation_cannot_create(client, db):
    client.force_login(UserFactory())

    assert client.post(CREATE, {"name": "Mine"}).status_code == 302
    assert not Campaign.objects.exists()


def test_create_needs_sign_in(client, organisation):
    response = client.post(CREATE, campaign_data(organisation))

    assert response.url.startswith(reverse("login"))
    assert not Campaign.objects.exists()


# Editing


@pytest.mark.parametrize("persona", ["admin_user", "coordinator", "campaigner"])
def test_editors_of_the_organisation_edit(client, campaign, organisation, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(update_url(campaign)).status_code == 200

    response = client.post(update_url(campaign), campaign_data(organisation, name="New name"))

    assert response.url == campaign.get_absolute_url()
    campaign.refresh_from_db()
    assert campaign.name == "New name"
    assert campaign.description == "Meet the foreign affairs committee first."


def test_a_viewer_cannot_edit(client, viewer, campaign, organisation):
    client.force_login(viewer)

    assert client.get(campaign.get_absolute_url()).status_code == 200
    assert client.get(update_url(campaign)).status_code == 404
    response = client.post(update_url(campaign), campaign_data(organisation, name="Hijacked"))

    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "Original name"


def test_a_coalition_partner_sees_but_cannot_edit(client, coalition_partner, campaign):
    client.force_login(coalition_partner)
    partner_org = coalition_partner.memberships.get().organisation

    detail = client.get(campaign.get_absolute_url())
    edit = client.get(update_url(campaign))
    posted = client.post(update_url(campaign), campaign_data(partner_org, name="Hijacked"))

    assert detail.status_code == 200
    assert "Original name" in detail.content.decode()
    assert update_url(campaign) not in detail.content.decode()
    assert edit.status_code == posted.status_code == 404
    campaign.refresh_from_db()
    assert campaign.name == "Original name"


def test_the_edit_link_shows_for_editors_only(client, campaign, coordinator, viewer):
    client.force_login(coordinator)
    assert update_url(campaign) in client.get(campaign.get_absolute_url()).content.decode()
    client.force_login(viewer)
    assert update_url(campaign) not in client.get(campaign.get_absolute_url()).content.decode()


def test_a_campaign_cannot_be_moved_to_an_organisation_outside_the_users_reach(
    client, coordinator, campaign, outsider
):
    client.force_login(coordinator)

    response = client.post(
        update_url(campaign), campaign_data(outsider.memberships.get().organisation)
    )

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.organisation.name == "Home Org"


def test_an_author_who_now_only_reads_may_still_save_their_campaign(
    client, campaigner, campaign, organisation
):
    # Authors may change their own records whatever their role (VisibleQuerySet.editable_by).
    campaigner.memberships.update(role=Membership.Role.VIEWER)
    client.force_login(campaigner)

    response = client.post(update_url(campaign), campaign_data(organisation, name="Renamed"))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.organisation) == ("Renamed", organisation)


def test_outsiders_get_404_on_edit(outsider_client, campaign):
    assert outsider_client.get(update_url(campaign)).status_code == 404


# Mistakes


def test_a_missing_name_re_renders_with_errors_and_keeps_the_input(campaigner_client, organisation):
    data = campaign_data(organisation, name="  ", goal="Every state joins <the treaty>.")

    response = campaigner_client.post(CREATE, data)

    assert response.status_code == 200
    content = response.content.decode()
    # The summary links to the field; the field carries its own error beside it.
    summary = content[content.index('class="error-summary"') :]
    assert re.search(r'href="#id_name"[^>]*>\s*Name: This field is required.', summary)
    beside = content[content.index('id="id_name_error"') :]
    assert beside.index("This field is required.") < beside.index('name="name"')
    assert "Every state joins &lt;the treaty&gt;." in content
    assert "Meet the foreign affairs committee first." in content
    assert '<option value="coalition" selected>' in content
    assert not Campaign.objects.exists()


def test_an_edit_with_errors_changes_nothing(client, coordinator, campaign, organisation):
    client.force_login(coordinator)

    response = client.post(
        update_url(campaign), campaign_data(organisation, name="", goal="A changed goal")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert "A changed goal" in content
    campaign.refresh_from_db()
    assert campaign.name == "Original name"
    assert campaign.goal == "Every state joins the treaty."


def test_an_overlong_name_is_an_error(campaigner_client, organisation):
    response = campaigner_client.post(CREATE, campaign_data(organisation, name="x" * 201))

    assert "name" in response.context["form"].errors
    assert 'id="id_name_error"' in response.content.decode()
    assert not Campaign.objects.exists()
