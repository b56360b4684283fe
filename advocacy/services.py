"""Writes that span models or have side effects: memberships, invitations, the audit trail."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy import tasks
from advocacy.models import AuditEvent, Invitation, Membership, Organisation, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    actor_label: str = "",
    organisation: Organisation | None = None,
    target: models.Model | None = None,
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.email if actor else ""),
        organisation=organisation,
        target_type=ContentType.objects.get_for_model(target) if target else None,
        target_id=str(target.pk) if target else "",
        target_label=str(target)[:300] if target else "",
        detail=detail or {},
        ip_address=client_ip(request),
    )


def _send_on_commit(invitation: Invitation) -> None:
    # Robust: the invitation is saved by then, so a broker that is down or a send that fails
    # (tasks run inline when eager) is logged and shows on the row, never as an error page
    # telling the admin that nothing was saved.
    transaction.on_commit(lambda: tasks.invitation_send.delay(invitation.pk), robust=True)


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: User,
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite someone by email; the message goes out once the transaction commits."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member.") % {"email": email})
    if organisation.invitations.pending().filter(email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s already has an invitation waiting; resend it instead.") % {"email": email}
        )
    # An expired, unanswered invitation would block the new one: close it first.
    organisation.invitations.filter(email__iexact=email, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation(
        organisation=organisation, email=email, role=role, invited_by=invited_by
    )
    invitation.renew()
    invitation.full_clean()
    invitation.save()
    audit_record(
        action=AuditEvent.Action.INVITED,
        actor=invited_by,
        organisation=organisation,
        target=invitation,
        detail={"email": email, "role": role},
        request=request,
    )
    _send_on_commit(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> None:
    """Send a fresh link; earlier links for this invitation stop working."""
    invitation.renew()
    invitation.send_error = ""
    invitation.save(update_fields=["nonce", "expires_at", "send_error"])
    _send_on_commit(invitation)


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, revoked_by: User, request: HttpRequest | None = None
) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        action=AuditEvent.Action.INVITATION_REVOKED,
        actor=revoked_by,
        organisation=invitation.organisation,
        target=invitation,
        detail={"email": invitation.email},
        request=request,
    )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User, request: HttpRequest | None = None
) -> Membership:
    """Turn a pending invitation into a membership. The link works once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise ValidationError(_("This invitation can no longer be used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another email address."))
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        action=AuditEvent.Action.JOINED,
        actor=user,
        organisation=invitation.organisation,
        target=membership,
        detail={"role": membership.role, "invited_by": str(invitation.invited_by or "")},
        request=request,
    )
    return membership


def _check_admins_remain(membership: Membership, new_role: str | None) -> None:
    leaving_admin = membership.role == Membership.Role.ADMIN and new_role != Membership.Role.ADMIN
    if not leaving_admin:
        return
    # Lock every admin row of the organisation, so two admins demoting each other at the
    # same moment cannot both succeed and leave nobody in charge.
    admins = Membership.objects.select_for_update().filter(
        organisation_id=membership.organisation_id, role=Membership.Role.ADMIN
    )
    if len(admins) <= 1:
        raise ValidationError(_("An organisation needs at least one admin."))


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, changed_by: User, request: HttpRequest | None = None
) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if role not in Membership.Role.values:
        raise ValidationError(_("Unknown role."))
    if role == membership.role:
        return
    _check_admins_remain(membership, role)
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=changed_by,
        organisation=membership.organisation,
        target=membership,
        detail={"member": membership.user.email, "from": old_role, "to": role},
        request=request,
    )


@transaction.atomic
def membership_remove(
    *, membership: Membership, removed_by: User, request: HttpRequest | None = None
) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _check_admins_remain(membership, None)
    audit_record(
        action=AuditEvent.Action.MEMBER_REMOVED,
        actor=removed_by,
        organisation=membership.organisation,
        target=membership,
        detail={"member": membership.user.email, "role": membership.role},
        request=request,
    )
    membership.delete()


@transaction.atomic
def user_create_from_invitation(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    password: str,
    language: str,
    request: HttpRequest | None = None,
) -> User:
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email,
                password,
                first_name=first_name,
                last_name=last_name,
                language=language,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("An account with this email address exists already: sign in to accept.")
        ) from error
    invitation_accept(invitation=invitation, user=user, request=request)
    return user
