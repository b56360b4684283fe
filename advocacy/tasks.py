import logging
import smtplib
import socket

from celery import shared_task

logger = logging.getLogger(__name__)

# Failures worth another try: the mail server or the network, not our own bugs.
NETWORK_ERRORS = (smtplib.SMTPException, socket.error, TimeoutError)


@shared_task
def worker_heartbeat() -> None:
    from advocacy import health

    health.heartbeat_record()


@shared_task(bind=True, autoretry_for=NETWORK_ERRORS, retry_backoff=30, max_retries=5)
def invitation_send(self, invitation_id: int) -> None:
    from advocacy import mail
    from advocacy.models import Invitation

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.state != "pending":
        return
    try:
        mail.invitation_email(invitation=invitation)
    except NETWORK_ERRORS as error:
        # Keep the failure on the row so the admin sees it and can resend.
        invitation.send_error = str(error)[:500] or error.__class__.__name__
        invitation.save(update_fields=["send_error"])
        logger.warning("Invitation %s not sent: %s", invitation_id, error)
        raise
