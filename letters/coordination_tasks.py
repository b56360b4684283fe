"""Tasks of a coordinator's work on letters: the email to a supporter whose letter is sent
back.

The worker registers these through letters.tasks importing this module; in the web process
letters.coordination imports it.
"""

import logging

from celery import shared_task

from advocacy.tasks import NETWORK_ERRORS

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=NETWORK_ERRORS, retry_backoff=30, max_retries=5)
def letter_sent_back_email(self, letter_id: int, reason: str) -> None:
    """Tell the supporter what to change. Nothing is sent once the request no longer
    stands: the letter was submitted again (its note is cleared) or sent back anew (that
    sending has its own email)."""
    from letters import coordination
    from letters.models import Letter

    letter = (
        Letter.objects.select_related("action", "target", "signatory")
        .filter(pk=letter_id, signatory__isnull=False, signatory__user__isnull=True)
        .first()
    )
    if letter is None or letter.review_note != reason:
        return
    try:
        coordination.email_supporter(letter=letter, reason=reason)
    except NETWORK_ERRORS as error:
        logger.warning("Sent-back email for letter %s not sent: %s", letter_id, error)
        raise
