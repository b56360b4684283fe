"""The organisation page and its details: what members see, what admins may change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import AuditEvent, Membership, Organisation
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory


def detail_url(organisation: Organisation) -> str:
    return reverse("organisation_detail", args=[organisation.slug])


def update_url(organisation: Organisation) -> str:
    return reverse("organisation_update", args=[organisation.slug])


DETAILS = {
    "name": "Home Organisation",
    "country": "SN",
    "email": "office@home.example.org",
    "phone": "+221 33 555 01 00",
    "website": "home.example.org",
    "address": "Avenue Cheikh Anta Diop\nDakar",
}


# The page


@pytest.mark.parametrize("persona", ["admin_user", "coordinator", "campaigner", "viewer"])
def test_every_member_sees_the_members_and_their_own_role(
    client, organisation, persona, request, admin_user, campaigner
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.get(detail_url(organisation))

    assert response.status_code == 200
    assert {m.user for m in response.context["members"]} >= {admin_user, campaigner, user}
    content = response.content.decode()
    assert "Home Org" in content
    assert "Member of Test Coalition" in content
    role = user.memberships.get().get_role_display()
    assert f"Your role: {role}" in content


@pytest.mark.parametrize("persona", ["coordinator", "campaigner", "viewer"])
def test_only_admins_see_the_admin_controls(client, organisation, persona, request, admin_user):
    InvitationFactory(organisation=organisation, email="waiting@example.org")
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail_url(organisation))

    content = response.content.decode()
    assert "invitations" not in response.context
    assert "waiting@example.org" not in content
    assert update_url(organisation) not in content
    assert reverse("invitation_create", args=[organisation.slug]) not in content
    assert (
        reverse("membership_role", args=[organisation.slug, admin_user.memberships.get().pk])
        not in content
    )


def test_admins_see_the_controls_and_pending_invitations_only(
    admin_client_, organisation, campaigner
):
    pending = InvitationFactory(organisation=organisation, email="waiting@example.org")
    InvitationFactory(
        organisation=organisation, email="expired@example.org", expires_at=timezone.now()
    )
    InvitationFactory(
        organisation=organisation, email="revoked@example.org", revoked_at=timezone.now()
    )
    InvitationFactory(
        organisation=organisation, email="joined@example.org", accepted_at=timezone.now()
    )
    InvitationFactory(email="elsewhere@example.org")

    response = admin_client_.get(detail_url(organisation))

    assert list(response.context["invitations"]) == [pending]
    content = response.content.decode()
    assert update_url(organisation) in content
    assert reverse("organisation_activity", args=[organisation.slug]) in content
    assert reverse("invitation_create", args=[organisation.slug]) in content
    membership = campaigner.memberships.get()
    assert reverse("membership_role", args=[organisation.slug, membership.pk]) in content
    assert reverse("membership_remove", args=[organisation.slug, membership.pk]) in content
    for email in ("expired", "revoked", "joined", "elsewhere"):
        assert f"{email}@example.org" not in content


def test_an_invitation_shows_whether_it_was_sent(admin_client_, organisation):
    InvitationFactory(organisation=organisation, email="sending@example.org")
    InvitationFactory(
        organisation=organisation,
        email="sent@example.org",
        sent_at=timezone.now() - timedelta(hours=1),
    )

    content = admin_client_.get(detail_url(organisation)).content.decode()

    assert "Sending…" in content
    assert "Sent " in content
    assert "Not sent" not in content


def test_the_coalition_page_lists_its_member_organisations(client, coalition, organisation):
    client.force_login(MembershipFactory(organisation=coalition).user)
    OrganisationFactory(name="Unrelated Org")

    response = client.get(detail_url(coalition))

    assert list(response.context["coalition_members"]) == [organisation]
    content = response.content.decode()
    assert "Member organisations" in content
    assert "Unrelated Org" not in content


def test_a_member_organisation_page_lists_no_member_organisations(campaigner_client, organisation):
    response = campaigner_client.get(detail_url(organisation))

    assert list(response.context["coalition_members"]) == []
    assert "Member organisations" not in response.content.decode()


def test_outsiders_get_404(outsider_client, organisation):
    response = outsider_client.get(detail_url(organisation))

    assert response.status_code == 404
    assert "Home Org" not in response.content.decode()


def test_coalition_partners_and_coalition_staff_get_404(
    client, organisation, coalition, coalition_partner
):
    client.force_login(coalition_partner)
    assert client.get(detail_url(organisation)).status_code == 404
    client.force_login(MembershipFactory(organisation=coalition).user)
    assert client.get(detail_url(organisation)).status_code == 404


def test_an_unknown_organisation_is_404(campaigner_client):
    assert (
        campaigner_client.get(reverse("organisation_detail", args=["nowhere"])).status_code == 404
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, organisation):
    response = client.get(detail_url(organisation))

    assert response.url == f"{reverse('login')}?next={detail_url(organisation)}"


def test_the_menu_lists_the_users_organisations(client, campaigner, organisation):
    other = OrganisationFactory(name="Second Home")
    MembershipFactory(user=campaigner, organisation=other, role=Membership.Role.VIEWER)
    client.force_login(campaigner)

    content = client.get(reverse("home")).content.decode()

    assert f'href="{detail_url(organisation)}"' in content
    assert f'href="{detail_url(other)}"' in content


# Editing the details


def test_admin_edits_the_details(admin_client_, admin_user, organisation):
    response = admin_client_.post(update_url(organisation), DETAILS, follow=True)

    assert response.redirect_chain == [(detail_url(organisation), 302)]
    assert "The organisation&#x27;s details are saved." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Home Organisation"
    assert organisation.country.code == "SN"
    # Typed without a scheme, as people do.
    assert organisation.website == "https://home.example.org"
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.organisation) == (
        AuditEvent.Action.UPDATED,
        admin_user,
        organisation,
    )
    assert set(event.detail["fields"]) == set(DETAILS)


def test_only_changed_fields_are_recorded(admin_client_, organisation):
    admin_client_.post(update_url(organisation), {"name": "Home Org", "country": "FR"})

    assert AuditEvent.objects.get().detail == {"fields": ["country"]}


def test_the_short_name_and_coalition_cannot_be_changed(admin_client_, organisation, coalition):
    other_coalition = OrganisationFactory(kind=Organisation.Kind.COALITION)
    slug = organisation.slug

    admin_client_.post(
        update_url(organisation),
        {**DETAILS, "slug": "taken-over", "coalition": other_coalition.pk, "kind": "coalition"},
    )

    organisation.refresh_from_db()
    assert (organisation.slug, organisation.coalition, organisation.kind) == (
        slug,
        coalition,
        Organisation.Kind.CSO,
    )


def test_invalid_details_re_render_with_errors(admin_client_, organisation):
    response = admin_client_.post(
        update_url(organisation), {**DETAILS, "name": "", "email": "not an email"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert 'id="id_name_error"' in content
    assert 'id="id_email_error"' in content
    assert "+221 33 555 01 00" in content
    organisation.refresh_from_db()
    assert organisation.name == "Home Org"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "campaigner", "viewer"])
def test_non_admins_cannot_edit_the_details(client, organisation, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(update_url(organisation)).status_code == 403
    assert client.post(update_url(organisation), DETAILS).status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == "Home Org"


def test_outsiders_cannot_edit_the_details(outsider_client, organisation):
    assert outsider_client.post(update_url(organisation), DETAILS).status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Home Org"
