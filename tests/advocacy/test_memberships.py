"""Admins change members' roles and remove members; an organisation always keeps an admin."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from advocacy.models import AuditEvent, Membership
from tests.factories import MembershipFactory


def role_url(membership: Membership) -> str:
    return reverse("membership_role", args=[membership.organisation.slug, membership.pk])


def remove_url(membership: Membership) -> str:
    return reverse("membership_remove", args=[membership.organisation.slug, membership.pk])


def membership_of(user) -> Membership:
    return user.memberships.get()


def test_admin_changes_a_role(admin_client_, admin_user, organisation, campaigner):
    membership = membership_of(campaigner)

    response = admin_client_.post(role_url(membership), {"role": "coordinator"}, follow=True)

    membership.refresh_from_db()
    assert membership.role == Membership.Role.COORDINATOR
    assert response.redirect_chain == [(organisation.get_absolute_url(), 302)]
    assert f"{escape(campaigner)} is now Coordinator." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.actor == admin_user
    assert event.organisation == organisation
    assert event.target_id == str(membership.pk)
    assert event.detail == {"member": campaigner.email, "from": "campaigner", "to": "coordinator"}


def test_choosing_the_same_role_records_nothing(admin_client_, campaigner):
    admin_client_.post(role_url(membership_of(campaigner)), {"role": "campaigner"})

    assert membership_of(campaigner).role == Membership.Role.CAMPAIGNER
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_an_unknown_role_is_refused(admin_client_, campaigner):
    response = admin_client_.post(
        role_url(membership_of(campaigner)), {"role": "owner"}, follow=True
    )

    assert "Choose one of the listed roles." in response.content.decode()
    assert membership_of(campaigner).role == Membership.Role.CAMPAIGNER


def test_changing_a_role_is_post_only(admin_client_, campaigner):
    assert admin_client_.get(role_url(membership_of(campaigner))).status_code == 405


def test_removing_a_member_asks_for_confirmation_first(admin_client_, campaigner):
    membership = membership_of(campaigner)

    response = admin_client_.get(remove_url(membership))

    assert response.status_code == 200
    assert f"{escape(campaigner)} will lose access" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.exists()


def test_admin_removes_a_member(admin_client_, admin_user, organisation, campaigner):
    membership = membership_of(campaigner)

    response = admin_client_.post(remove_url(membership), follow=True)

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert response.redirect_chain == [(organisation.get_absolute_url(), 302)]
    assert "no longer belongs to Home Org" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_REMOVED)
    assert event.actor == admin_user
    assert event.organisation == organisation
    assert event.detail == {"member": campaigner.email, "role": "campaigner"}


def test_an_admin_who_leaves_goes_home(admin_client_, admin_user, organisation):
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)

    response = admin_client_.post(remove_url(membership_of(admin_user)))

    assert response.url == reverse("home")
    assert not admin_user.memberships.exists()


def test_the_last_admin_cannot_be_demoted(admin_client_, admin_user, organisation, coordinator):
    response = admin_client_.post(
        role_url(membership_of(admin_user)), {"role": "viewer"}, follow=True
    )

    assert "An organisation needs at least one admin." in response.content.decode()
    assert membership_of(admin_user).role == Membership.Role.ADMIN
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_the_last_admin_cannot_be_removed(admin_client_, admin_user, organisation):
    response = admin_client_.post(remove_url(membership_of(admin_user)), follow=True)

    # They stay on the organisation page they still belong to, where the reason is shown.
    assert response.redirect_chain == [(organisation.get_absolute_url(), 302)]
    assert "An organisation needs at least one admin." in response.content.decode()
    assert membership_of(admin_user).role == Membership.Role.ADMIN
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_REMOVED).exists()


def test_an_admin_may_step_down_when_another_admin_remains(admin_client_, admin_user, organisation):
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)

    admin_client_.post(role_url(membership_of(admin_user)), {"role": "campaigner"})

    assert membership_of(admin_user).role == Membership.Role.CAMPAIGNER


@pytest.mark.parametrize("persona", ["coordinator", "campaigner", "viewer"])
def test_non_admins_get_403(client, persona, request, admin_user):
    client.force_login(request.getfixturevalue(persona))
    membership = membership_of(admin_user)

    assert client.post(role_url(membership), {"role": "viewer"}).status_code == 403
    assert client.get(remove_url(membership)).status_code == 403
    assert client.post(remove_url(membership)).status_code == 403
    assert membership_of(admin_user).role == Membership.Role.ADMIN
    assert not AuditEvent.objects.exists()


def test_another_organisations_membership_is_404(admin_client_, organisation, outsider):
    theirs = membership_of(outsider)
    # Their membership id under our organisation's address.
    role = reverse("membership_role", args=[organisation.slug, theirs.pk])
    remove = reverse("membership_remove", args=[organisation.slug, theirs.pk])

    assert admin_client_.post(role, {"role": "viewer"}).status_code == 404
    assert admin_client_.get(remove).status_code == 404
    assert admin_client_.post(remove).status_code == 404
    assert membership_of(outsider).role == Membership.Role.ADMIN


def test_outsiders_get_404(outsider_client, campaigner):
    membership = membership_of(campaigner)

    assert outsider_client.post(role_url(membership), {"role": "admin"}).status_code == 404
    assert outsider_client.post(remove_url(membership)).status_code == 404
    assert membership_of(campaigner).role == Membership.Role.CAMPAIGNER
