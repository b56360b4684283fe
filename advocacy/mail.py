"""Emails we send. They carry links, never confidential content."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from advocacy.models import Invitation


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def invitation_email(*, invitation: Invitation) -> None:
    language = invitation.invited_by.language if invitation.invited_by else settings.LANGUAGE_CODE
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "accept_url": absolute_url(invitation.get_accept_url()),
        "site_url": settings.SITE_URL,
    }
    with translation.override(language):
        context["role"] = invitation.get_role_display()
        subject = render_to_string("advocacy/email/invitation_subject.txt", context).strip()
        body = render_to_string("advocacy/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    invitation.sent_at = timezone.now()
    invitation.send_error = ""
    invitation.save(update_fields=["sent_at", "send_error"])
