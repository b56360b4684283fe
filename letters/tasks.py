"""Letter tasks: the dispatcher beat runs, the chunk that sends or prints letters, the
daily follow-ups (FOI deadlines, "did a reply come?"), the public sign-up's confirmation
email and the email to a supporter whose letter is sent back. The work is in
letters.delivery, letters.participation and letters.coordination."""

from celery import shared_task

from advocacy.tasks import NETWORK_ERRORS


@shared_task
def letters_dispatch() -> int:
    from letters import delivery

    return len(delivery.letters_dispatch())


# No automatic retry: a refused letter goes back to the database with its own delay, and a
# task that dies (or is lost with the broker) leaves its letters to the sweeper. Late
# acknowledgement (the settings) delivers a task again after a worker was lost; the
# letters it finds already claimed are skipped.
@shared_task
def letters_send_chunk(letter_ids: list[int]) -> int:
    from letters import delivery

    return len(delivery.letters_send_chunk(letter_ids=letter_ids))


@shared_task
def letters_foi_daily() -> int:
    from letters import delivery

    return delivery.foi_daily()


@shared_task
def letters_reply_check() -> int:
    from letters import delivery

    return delivery.letters_reply_check()


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
    participation.confirmation_email(signatory=signatory)


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
    coordination.email_supporter(letter=letter, reason=reason)
