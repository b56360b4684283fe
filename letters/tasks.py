"""Letter tasks: the dispatcher beat runs, the chunk that sends or prints letters, and the
daily follow-ups (FOI deadlines, "did a reply come?"). The work is in letters.delivery."""

from celery import shared_task

# The public sign-up's confirmation email and the email to a supporter whose letter is sent
# back: imported so the worker, which discovers letters.tasks, registers them.
from letters.coordination_tasks import letter_sent_back_email  # noqa: F401
from letters.participation_tasks import signatory_confirmation_send  # noqa: F401


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
