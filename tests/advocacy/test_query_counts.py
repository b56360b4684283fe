"""The organisation's pages run a fixed number of queries however many rows they show."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from advocacy.models import AuditEvent, Membership
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory


def add_members_and_invitations(organisation, count: int) -> None:
    for _ in range(count):
        inviter = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
        MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
        invitation = InvitationFactory(organisation=organisation, invited_by=inviter)
        invitation.sent_at = timezone.now()
        invitation.save()
        InvitationFactory(organisation=organisation, invited_by=inviter, send_error="Refused")


def add_events(organisation, count: int) -> None:
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditEvent.Action.ROLE_CHANGED,
            actor_label=f"person{n}@example.org",
            organisation=organisation,
            target_label=f"Member {n}",
            detail={"from": "viewer", "to": "campaigner"},
            created_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    )


# The organisation page as an admin sees it: session, user, the admin's membership with its
# organisation and coalition (joined), the menu's memberships, members with their users
# (joined), pending invitations with who sent them (joined).
ORGANISATION_PAGE_QUERIES = 6


def test_organisation_page_queries_do_not_grow(
    admin_client_, organisation, django_assert_num_queries
):
    url = reverse("organisation_detail", args=[organisation.slug])
    add_members_and_invitations(organisation, 2)
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        response = admin_client_.get(url)
    assert len(response.context["members"]) == 5
    assert len(response.context["invitations"]) == 4

    add_members_and_invitations(organisation, 10)
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES):
        response = admin_client_.get(url)
    assert len(response.context["members"]) == 25
    assert len(response.context["invitations"]) == 24


def test_coalition_page_queries_do_not_grow(client, coalition, django_assert_num_queries):
    coordinator = MembershipFactory(organisation=coalition, role=Membership.Role.ADMIN).user
    client.force_login(coordinator)
    url = reverse("organisation_detail", args=[coalition.slug])
    OrganisationFactory.create_batch(2, coalition=coalition)
    # The organisation page's queries, plus the coalition's member organisations.
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES + 1):
        client.get(url)

    OrganisationFactory.create_batch(5, coalition=coalition)
    add_members_and_invitations(coalition, 5)
    with django_assert_num_queries(ORGANISATION_PAGE_QUERIES + 1):
        response = client.get(url)
    assert len(response.context["coalition_members"]) == 7


def test_organisation_page_for_members_skips_the_invitations(
    campaigner_client, organisation, django_assert_num_queries
):
    add_members_and_invitations(organisation, 3)
    # session, user, membership with organisation and coalition, menu, members with users
    with django_assert_num_queries(5):
        response = campaigner_client.get(reverse("organisation_detail", args=[organisation.slug]))
    assert "invitations" not in response.context


# session, user, the admin's membership with its organisation (joined), the number of events
# for the paginator, the menu's memberships, one page of events.
ACTIVITY_PAGE_QUERIES = 6


def test_activity_page_queries_do_not_grow(admin_client_, organisation, django_assert_num_queries):
    url = reverse("organisation_activity", args=[organisation.slug])
    add_events(organisation, 3)
    with django_assert_num_queries(ACTIVITY_PAGE_QUERIES):
        admin_client_.get(url)

    add_events(organisation, 60)
    with django_assert_num_queries(ACTIVITY_PAGE_QUERIES):
        response = admin_client_.get(url)
    assert len(response.context["page"]) == 50
    with django_assert_num_queries(ACTIVITY_PAGE_QUERIES):
        response = admin_client_.get(url, {"page": 2})
    assert len(response.context["page"]) == 13
