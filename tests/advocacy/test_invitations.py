"""Inviting people into an organisation: sending, resending, revoking and accepting links."""

import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import resolve, reverse
from django.utils import timezone

from advocacy.mail import invitation_email
from advocacy.models import AuditEvent, Invitation, Membership, User
from tests.conftest import free_port
from tests.factories import PASSWORD, InvitationFactory, UserFactory

LINK = re.compile(r"https?://\S+/invitations/\S+/")
NEW_ACCOUNT = {
    "first_name": "Amina",
    "last_name": "Diallo",
    "language": "fr",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def invite(client, organisation, email="new.person@example.org", role="coordinator"):
    return client.post(
        reverse("invitation_create", args=[organisation.slug]), {"email": email, "role": role}
    )


def accept_path(text: str) -> str:
    """The path of the invitation link in an email body."""
    return urlparse(LINK.search(text).group(0)).path


def invitation_of(path: str) -> Invitation | None:
    """The invitation an accept link leads to (its token is signed with the time it was made)."""
    return Invitation.from_token(resolve(path).kwargs["token"])


@pytest.fixture
def invitation(organisation, admin_user):
    invitation = InvitationFactory(
        organisation=organisation,
        invited_by=admin_user,
        email="invitee@example.org",
        role=Membership.Role.COORDINATOR,
    )
    invitation.renew()
    invitation.save()
    return invitation


# Sending


def test_admin_invites_by_email_and_the_message_goes_out(
    admin_client_, admin_user, organisation, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client_, organisation, email=" New.Person@Example.org ")

    assert response.status_code == 302
    assert response.url == organisation.get_absolute_url()
    invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.email == "new.person@example.org"
    assert invitation.role == Membership.Role.COORDINATOR
    assert invitation.invited_by == admin_user
    assert invitation.sent_at is not None
    assert invitation.send_error == ""
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITED)
    assert event.actor == admin_user
    assert event.organisation == organisation
    assert event.detail == {"email": "new.person@example.org", "role": "coordinator"}
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "new.person@example.org"
    assert organisation.name in message["Subject"]
    assert invitation_of(accept_path(smtp_server.body(message))) == invitation


def test_the_subject_shows_the_organisation_name_as_written(organisation, invitation):
    organisation.name = "Schools & Hospitals Don't Wait"
    organisation.save(update_fields=["name"])
    invitation_email(invitation=invitation)
    [message] = mail.outbox
    assert message.subject == "You are invited to join Schools & Hospitals Don't Wait"


def test_the_message_is_sent_only_once_the_invitation_is_saved(
    admin_client_, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(admin_client_, organisation)
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("persona", ["coordinator", "campaigner", "viewer"])
def test_non_admins_may_not_invite(client, organisation, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("invitation_create", args=[organisation.slug])).status_code == 403
    assert invite(client, organisation).status_code == 403
    assert not Invitation.objects.exists()


def test_outsiders_get_404(outsider_client, organisation):
    assert invite(outsider_client, organisation).status_code == 404
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_a_form_error(admin_client_, organisation, campaigner):
    response = invite(admin_client_, organisation, email="Campaigner@Home.example.org")

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "campaigner@home.example.org is already a member."
    ]
    assert 'id="id_email_error"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.INVITED).exists()


def test_inviting_an_address_with_a_pending_invitation_is_a_form_error(
    admin_client_, organisation, invitation
):
    response = invite(admin_client_, organisation, email="INVITEE@example.org")

    assert response.status_code == 400
    assert "already has an invitation waiting" in response.context["form"].errors["email"][0]
    assert 'id="id_email_error"' in response.content.decode()
    assert list(Invitation.objects.all()) == [invitation]


def test_an_expired_invitation_does_not_block_a_new_one(admin_client_, organisation, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    response = invite(admin_client_, organisation, email="invitee@example.org")

    assert response.status_code == 302
    assert Invitation.objects.pending().get().email == "invitee@example.org"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_a_refused_message_is_recorded_on_the_invitation(
    admin_client_, organisation, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(admin_client_, organisation)

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.sent_at is None
    assert "Try again later" in invitation.send_error
    page = admin_client_.get(organisation.get_absolute_url()).content.decode()
    assert "Not sent" in page
    assert "Try again later" in page


def test_an_unreachable_mail_server_is_recorded_on_the_invitation(
    admin_client_, organisation, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, organisation)

    invitation = Invitation.objects.get()
    assert invitation.sent_at is None
    assert "refused" in invitation.send_error.lower()
    assert "Not sent" in admin_client_.get(organisation.get_absolute_url()).content.decode()


def test_resend_sends_a_new_link_and_the_old_one_stops_working(
    admin_client_, organisation, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse = True
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, organisation)
    invitation = Invitation.objects.get()
    old_path = invitation.get_accept_url()

    smtp_server.refuse = False
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            reverse("invitation_resend", args=[organisation.slug, invitation.pk])
        )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.send_error == ""
    assert invitation.sent_at is not None
    [message] = smtp_server.wait_for(1)
    new_path = accept_path(smtp_server.body(message))
    assert invitation_of(new_path) == invitation
    assert invitation_of(old_path) is None
    admin_client_.logout()
    assert admin_client_.get(old_path).status_code == 410
    assert admin_client_.get(new_path).status_code == 200


def test_a_closed_invitation_is_not_resent(admin_client_, organisation, invitation):
    invitation.revoked_at = timezone.now()
    invitation.save()
    nonce = invitation.nonce

    response = admin_client_.post(
        reverse("invitation_resend", args=[organisation.slug, invitation.pk]), follow=True
    )

    assert "This invitation is closed" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.nonce == nonce
    assert mail.outbox == []


def test_resend_and_revoke_are_post_only(admin_client_, organisation, invitation):
    for name in ("invitation_resend", "invitation_revoke"):
        response = admin_client_.get(reverse(name, args=[organisation.slug, invitation.pk]))
        assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_admin_revokes_an_invitation(admin_client_, admin_user, organisation, invitation):
    response = admin_client_.post(
        reverse("invitation_revoke", args=[organisation.slug, invitation.pk])
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
    event = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_REVOKED)
    assert event.actor == admin_user
    assert event.detail == {"email": "invitee@example.org"}
    page = admin_client_.get(organisation.get_absolute_url())
    assert list(page.context["invitations"]) == []


def test_non_admins_cannot_resend_or_revoke(campaigner_client, organisation, invitation):
    nonce = invitation.nonce
    for name in ("invitation_resend", "invitation_revoke"):
        response = campaigner_client.post(reverse(name, args=[organisation.slug, invitation.pk]))
        assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert invitation.nonce == nonce


def test_another_organisations_invitation_is_404(outsider, outsider_client, invitation):
    own_slug = outsider.memberships.get().organisation.slug
    for name in ("invitation_resend", "invitation_revoke"):
        response = outsider_client.post(reverse(name, args=[own_slug, invitation.pk]))
        assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.state == "pending"


# Accepting


def test_a_new_person_accepts_and_is_signed_in(client, organisation, admin_user, invitation):
    url = invitation.get_accept_url()
    page = client.get(url)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()

    response = client.post(url, NEW_ACCOUNT)

    assert response.status_code == 302
    assert response.url == organisation.get_absolute_url()
    user = User.objects.get(email="invitee@example.org")
    assert (user.first_name, user.language) == ("Amina", "fr")
    assert user.check_password(NEW_ACCOUNT["password1"])
    assert user.memberships.get().role == Membership.Role.COORDINATOR
    assert client.session[SESSION_KEY] == str(user.pk)
    assert response.cookies["django_language"].value == "fr"
    invitation.refresh_from_db()
    assert invitation.state == "accepted"
    assert invitation.accepted_by == user
    event = AuditEvent.objects.get(action=AuditEvent.Action.JOINED)
    assert event.actor == user
    assert event.organisation == organisation
    assert event.detail["role"] == "coordinator"


def test_a_new_person_with_a_weak_password_sees_errors(client, invitation):
    data = {**NEW_ACCOUNT, "password1": "12345678", "password2": "12345678"}

    response = client.post(invitation.get_accept_url(), data)

    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not User.objects.filter(email="invitee@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_an_existing_user_must_sign_in_to_accept(client, organisation, invitation):
    existing = UserFactory(email="Invitee@Example.org")
    url = invitation.get_accept_url()

    page = client.get(url)
    posted = client.post(url, NEW_ACCOUNT)

    assert f"{reverse('login')}?next={url}" in page.content.decode()
    assert posted.status_code == 200
    assert not Membership.objects.filter(user=existing).exists()
    assert User.objects.filter(email__iexact="invitee@example.org").count() == 1

    signed_in = client.post(
        f"{reverse('login')}?next={url}", {"username": "invitee@example.org", "password": PASSWORD}
    )
    assert signed_in.url == url
    assert "Accept and join" in client.get(url).content.decode()
    response = client.post(url)

    assert response.url == organisation.get_absolute_url()
    assert existing.memberships.get(organisation=organisation).role == Membership.Role.COORDINATOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == existing


def test_the_wrong_account_gets_a_403_page(client, campaigner, invitation):
    client.force_login(campaigner)
    url = invitation.get_accept_url()

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        assert "You are signed in with another account" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state == "pending"
    assert campaigner.memberships.get().role == Membership.Role.CAMPAIGNER


def _expire(invitation):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)


def _revoke(invitation):
    invitation.revoked_at = timezone.now()


def _use(invitation):
    invitation.accepted_at = timezone.now()


@pytest.mark.parametrize(
    ("close", "explanation"),
    [
        (_expire, "It has expired"),
        (_revoke, "It was withdrawn"),
        (_use, "It has been used already"),
    ],
)
def test_a_closed_invitation_no_longer_works(client, invitation, close, explanation):
    close(invitation)
    invitation.save()
    url = invitation.get_accept_url()

    for response in (client.get(url), client.post(url, NEW_ACCOUNT)):
        assert response.status_code == 410
        content = response.content.decode()
        assert "This invitation no longer works" in content
        assert explanation in content
    assert not User.objects.filter(email="invitee@example.org").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_no_longer_works(client, invitation, tamper):
    url = reverse("invitation_accept", args=[tamper(invitation.token)])

    for response in (client.get(url), client.post(url, NEW_ACCOUNT)):
        assert response.status_code == 410
        assert "The link is not valid" in response.content.decode()
    assert not User.objects.filter(email="invitee@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.state == "pending"


def test_the_link_works_once(client, organisation, invitation):
    url = invitation.get_accept_url()
    client.post(url, NEW_ACCOUNT)

    again = client.post(url)
    client.logout()
    anonymous = client.post(url, {**NEW_ACCOUNT, "first_name": "Someone else"})

    assert again.status_code == anonymous.status_code == 410
    assert (
        Membership.objects.filter(
            organisation=organisation, user__email="invitee@example.org"
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(action=AuditEvent.Action.JOINED).count() == 1


def test_the_emailed_link_lets_the_invitee_join(
    admin_client_, organisation, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin_client_, organisation, role="viewer")
    [message] = smtp_server.wait_for(1)
    admin_client_.logout()

    response = admin_client_.post(accept_path(smtp_server.body(message)), NEW_ACCOUNT)

    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.org")
    assert (membership.organisation, membership.role) == (organisation, Membership.Role.VIEWER)


def test_an_invitation_from_another_organisation_does_not_grant_this_one(
    client, organisation, outsider
):
    other = outsider.memberships.get().organisation
    invitation = InvitationFactory(organisation=other, email="invitee@example.org")

    client.post(invitation.get_accept_url(), NEW_ACCOUNT)

    user = User.objects.get(email="invitee@example.org")
    assert list(user.memberships.values_list("organisation", flat=True)) == [other.pk]
    assert not Membership.objects.filter(user=user, organisation=organisation).exists()


def test_invitation_lost_by_the_queue_shows_as_not_sent(admin_client_, organisation, admin_user):
    from django.conf import settings as django_settings

    issued = timezone.now() - timedelta(minutes=30)
    InvitationFactory(
        organisation=organisation,
        invited_by=admin_user,
        email="lost@example.org",
        expires_at=issued + timedelta(days=django_settings.INVITATION_MAX_AGE_DAYS),
    )
    page = admin_client_.get(organisation.get_absolute_url()).content.decode()
    assert "Not sent yet: resend it" in page


def test_two_admins_cannot_both_step_down(organisation, admin_user):
    from django.core.exceptions import ValidationError

    from advocacy import services
    from tests.factories import MembershipFactory

    second = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)
    first = Membership.objects.get(user=admin_user, organisation=organisation)
    services.membership_change_role(membership=first, role="viewer", changed_by=admin_user)
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=second, role="viewer", changed_by=admin_user)
    assert Membership.objects.filter(organisation=organisation, role="admin").count() == 1
