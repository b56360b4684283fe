"""Tasks of the public sign-up: the confirmation email.

Kept apart from letters/tasks.py (delivery). The worker registers these through
letters.tasks importing this module; in the web process the sign-up imports it.
"""

import logging

from celery import shared_task

from advocacy.tasks import NETWORK_ERRORS

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=NETWORK_ERRORS, retry_backoff=30, max_retries=5)
def signatory_confirmation_send(self, signatory_id: int) -> None:
    from letters import participation
    from letters.models import Signatory

    signatory = (
        Signatory.objects.select_related("action__campaign", "area").filter(pk=signatory_id).first()
    )
    if signatory is None:
        return
    if not signatory.is_confirmed and not signatory.action.takes_part:
        return  # the action closed before the link went out: nothing left to confirm
    try:
        participation.confirmation_email(signatory=signatory)
    except NETWORK_ERRORS as error:
        logger.warning("Confirmation for signatory %s not sent: %s", signatory_id, error)
        raise
